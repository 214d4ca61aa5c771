// Guardian signing throughput: VAAs/s when every one of 19 guardians signs each message
// (the network's real cost). "native" (libsecp256k1) and "noble" (pure JS) on one thread;
// "workers": native, on one worker thread per core, fed batches of digests by the main
// thread (which makes the digests and collects the signatures, as a guardian network would).
import { cpus } from "node:os";
import { Worker } from "node:worker_threads";
import { secp256k1 as noble } from "@noble/curves/secp256k1";
import { generateGuardianKeys } from "../../src/bridges/wormhole/guardians/guardianKeys.ts";
import { signDigest, bodyDigest } from "../../src/bridges/wormhole/vaa.ts";

const impl = process.argv[2] ?? "native";
const guardians = 19;
const keys = generateGuardianKeys(guardians);
const seconds = 3;
let vaas = 0;
const start = performance.now();
if (impl === "workers") await workers();
else
  while (performance.now() - start < seconds * 1000) {
    const digest = bodyDigest(new Uint8Array([vaas & 255, (vaas >> 8) & 255, 1, 2, 3]));
    for (const key of keys) {
      if (impl === "native") signDigest(key.privateKey, digest);
      else noble.sign(digest, key.privateKey);
    }
    vaas++;
  }
console.log(JSON.stringify({ impl, guardians, vaasPerSecond: vaas / ((performance.now() - start) / 1000) }));

async function workers(): Promise<void> {
  const threads = cpus().length;
  const batch = 32;
  const pool = Array.from(
    { length: threads },
    () => new Worker(new URL("./signWorker.mjs", import.meta.url), { workerData: { keys: keys.map((k) => k.privateKey) } }),
  );
  // Warm-up: every worker loaded and answering before the clock starts.
  await Promise.all(pool.map((w) => new Promise((resolve) => (w.once("message", resolve), w.postMessage([bodyDigest(new Uint8Array([0]))])))));
  const t0 = performance.now();
  let made = 0;
  const next = () => Array.from({ length: batch }, () => bodyDigest(new Uint8Array([made & 255, (made++ >> 8) & 255, 1, 2, 3])));
  await Promise.all(
    pool.map(
      (w) =>
        new Promise<void>((resolve) => {
          let inFlight = 0;
          w.on("message", (signatures: Uint8Array[][]) => {
            vaas += signatures.length;
            inFlight--;
            if (performance.now() - t0 < seconds * 1000) {
              w.postMessage(next());
              inFlight++;
            } else if (inFlight === 0) resolve();
          });
          // Two batches in flight per worker, so it never waits for the main thread.
          for (let i = 0; i < 2; i++, inFlight++) w.postMessage(next());
        }),
    ),
  );
  await Promise.all(pool.map((w) => w.terminate()));
  console.log(JSON.stringify({ impl, guardians, threads, vaasPerSecond: vaas / ((performance.now() - t0) / 1000) }));
  process.exit(0);
}
