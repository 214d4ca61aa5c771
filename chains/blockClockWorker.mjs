// The block clock's thread: mines each chain it is given (evm_mine) at origin + k·period, one
// origin for every chain, so chains with the same period produce their blocks at the same
// instants. Its own event loop keeps the ticks on time however busy the harness's main thread is.
// Messages in: { url, periodMs } adds a chain or changes its period (periodMs 0 removes it).
// Messages out: { url, error } when a mining call fails; { url, lateMs } when a block is made:
// how long after its scheduled tick the chain answered evm_mine (its block-interval lateness).
import { parentPort } from "node:worker_threads";
import { performance } from "node:perf_hooks";

const origin = performance.now();
/** url → { periodMs, next (performance.now() ms), busy, owed (the tick owed a block, or undefined) } */
const chains = new Map();
let timer;

/** The first tick of `periodMs` strictly after `t`. */
const nextTick = (periodMs, t) => origin + (Math.floor((t - origin) / periodMs) + 1) * periodMs;

/** Mines the block of the tick due at `dueAt` (performance.now() ms). */
function mine(url, chain, dueAt) {
  // A chain still mining the previous block mines this tick's as soon as it is done (as anvil's
  // own timer catches up), but never queues more than one: a tick skipped is lateness of the next.
  if (chain.busy) return void (chain.owed ??= dueAt);
  chain.busy = true;
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: '{"jsonrpc":"2.0","id":1,"method":"evm_mine","params":[]}' })
    .then(async (res) => {
      const answer = await res.json();
      if (answer.error) throw new Error(answer.error.message);
      parentPort.postMessage({ url, lateMs: performance.now() - dueAt });
    })
    .catch((err) => parentPort.postMessage({ url, error: `evm_mine: ${err.message}` }))
    .finally(() => {
      chain.busy = false;
      const owed = chain.owed;
      if (owed === undefined || chains.get(url) !== chain) return;
      chain.owed = undefined;
      mine(url, chain, owed);
    });
}

function schedule() {
  clearTimeout(timer);
  if (chains.size === 0) return;
  const due = Math.min(...[...chains.values()].map((c) => c.next));
  timer = setTimeout(tick, Math.max(0, due - performance.now()));
}

function tick() {
  const t = performance.now();
  // Timers fire up to a millisecond early or late: a tick due within half a millisecond is due now.
  for (const [url, chain] of chains) {
    if (chain.next > t + 0.5) continue;
    mine(url, chain, chain.next);
    chain.next = nextTick(chain.periodMs, Math.max(t, chain.next));
  }
  schedule();
}

parentPort.on("message", ({ url, periodMs }) => {
  if (!(periodMs > 0)) chains.delete(url);
  else chains.set(url, Object.assign(chains.get(url) ?? { busy: false, owed: undefined }, { periodMs, next: nextTick(periodMs, performance.now()) }));
  schedule();
});
