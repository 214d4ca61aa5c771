// Guardian signing throughput on one thread: VAAs/s when every one of 19 guardians signs
// each message (the network's real cost), libsecp256k1 (native) vs noble (pure JS).
import { secp256k1 as noble } from "@noble/curves/secp256k1";
import { generateGuardianKeys } from "../../src/bridge/guardianKeys.ts";
import { signDigest, bodyDigest } from "../../src/bridge/vaa.ts";

const impl = process.argv[2] ?? "native";
const guardians = 19;
const keys = generateGuardianKeys(guardians);
const seconds = 3;
let vaas = 0;
const start = performance.now();
while (performance.now() - start < seconds * 1000) {
  const digest = bodyDigest(new Uint8Array([vaas & 255, (vaas >> 8) & 255, 1, 2, 3]));
  for (const key of keys) {
    if (impl === "native") signDigest(key.privateKey, digest);
    else noble.sign(digest, key.privateKey);
  }
  vaas++;
}
console.log(JSON.stringify({ impl, guardians, vaasPerSecond: vaas / ((performance.now() - start) / 1000) }));
