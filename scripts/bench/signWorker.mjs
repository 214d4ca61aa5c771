// Worker thread of the signing benchmark (plain JS: Node 20 workers do not load .ts). Signs
// every digest it is sent with every guardian key, as src/bridges/wormhole/vaa.ts signDigest does
// (libsecp256k1, 64-byte signature + recovery id), and sends the signatures back.
import { parentPort, workerData } from "node:worker_threads";
import secp256k1 from "secp256k1";

const keys = workerData.keys;
parentPort.on("message", (digests) => {
  const signatures = digests.map((digest) =>
    keys.map((key) => {
      const { signature, recid } = secp256k1.ecdsaSign(digest, key);
      const out = new Uint8Array(65);
      out.set(signature, 0);
      out[64] = recid;
      return out;
    }),
  );
  parentPort.postMessage(signatures);
});
