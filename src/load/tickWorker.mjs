// The dispatcher's clock thread: told an instant (epoch milliseconds, fractional), it blocks
// until then in Atomics.wait (microsecond timeouts, no spinning) and answers with the same
// instant. One instant at a time.
import { parentPort } from "node:worker_threads";
import { performance } from "node:perf_hooks";

const cell = new Int32Array(new SharedArrayBuffer(4));
const nowEpoch = () => performance.timeOrigin + performance.now();

parentPort.on("message", (due) => {
  for (let left = due - nowEpoch(); left > 0; left = due - nowEpoch()) Atomics.wait(cell, 0, 0, left);
  parentPort.postMessage(due);
});
