// The guardian network's signing thread (plain JS: Node 20 worker threads do not load .ts).
// Holds the guardians' TEST-ONLY keys; for each request signs one digest with the guardians
// asked for, as vaa.ts signDigest does (libsecp256k1: 64-byte signature + recovery id).
import { parentPort, workerData } from "node:worker_threads";
import secp256k1 from "secp256k1";

const keys = workerData.keys;
/** Set by the main thread when the pool stops: sign nothing more, close, and let the thread end. */
const stopping = workerData.stopping;
parentPort.on("message", ({ id, digest, guardianIndices }) => {
  if (Atomics.load(stopping, 0) === 1) {
    parentPort.close();
    return;
  }
  const signatures = guardianIndices.map((index) => {
    const { signature, recid } = secp256k1.ecdsaSign(digest, keys[index]);
    const out = new Uint8Array(65);
    out.set(signature, 0);
    out[64] = recid;
    return out;
  });
  parentPort.postMessage({ id, signatures });
});
