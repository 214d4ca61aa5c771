// Ledger + statistics + messages.csv throughput, and memory over 1 M messages.
// Run as a child process per repetition so each gets a fresh heap: prints one JSON line.
//
//   tsx scripts/bench/ledger.ts [messages] [all | ledger | stats]
// `ledger` times the ledger's own events alone, `stats` adds the statistics, `all` (the
// figure) adds messages.csv as a run writes it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ledger } from "../../src/measure/ledger.ts";
import { RunRecorder } from "../../src/report/runReport.ts";
import { validateScenario } from "../../src/scenarios.ts";

const total = Number(process.argv[2] ?? 1_000_000);
const part = process.argv[3] ?? "all";
if (!["all", "ledger", "stats"].includes(part)) throw new Error(`ledger bench: part must be all, ledger or stats, not ${part}`);
const inFlight = 2_000; // messages alive at once, as in a run at ~2,000 msgs/s with 1 s delay
const dir = mkdtempSync(join(tmpdir(), "bench-ledger-"));
const scenario = validateScenario({ routes: [{ from: "Ethereum", to: ["Base"] }], stages: [{ rate: 1000, duration: total / 1000 }] }, "bench");
const ledger = new Ledger();
const recorder = new RunRecorder({ runId: "bench", runDir: dir, scenario, startedAt: new Date(), endpoints: {}, limits: { observationPollMs: 20 } }, ledger);

if (part !== "all") {
  const stats = recorder.stats;
  ledger.onFinal = part === "stats" ? (r) => stats.add(r) : () => {};
}

const heap: Array<[number, number]> = [];
// Typed-array storage (the statistics keep every delay in Float64Arrays) is outside the V8 heap: reported beside it.
const arrayBuffers: Array<[number, number]> = [];
const at = ledger.startedAt;
// VAA ids as the chains give them: emitter chain / 32-byte emitter / sequence.
const KEY_PREFIX = `2/${"0".repeat(24)}${"ab".repeat(20)}/`;
let probeMs = 0;
const started = performance.now();
for (let id = 1; id <= total; id++) {
  const t = id; // 1 message per ms of run time
  ledger.plan({ id, kind: "liquidation", sourceChain: "Ethereum", destinationChain: "Base", stage: 0, intendedAt: t });
  const key = `${KEY_PREFIX}${id}`;
  ledger.sent(id, at + t + 0.2, "0x01");
  ledger.sourceIncluded(id, key, at + t + 250);
  ledger.vaaReady(id, key, at + t + 300);
  ledger.relayerFetched(key, at + t + 320);
  ledger.relayerSubmitted(key, at + t + 330);
  const old = id - inFlight;
  if (old > 0) ledger.delivered(old, at + old + 600 + (old % 97), "0x02", false);
  // Let the event loop run the CSV file's writes, as it does between events in a real run,
  // and wait for them once several buffers are queued (memory stays bounded).
  if (id % 1000 === 0) {
    await new Promise((resolve) => setImmediate(resolve));
    await recorder.drained();
  }
  if (id % 100_000 === 0) {
    // The forced collection is the memory probe's, not the ledger's work: its time is left out.
    const probeStarted = performance.now();
    if (global.gc) global.gc();
    const memory = process.memoryUsage();
    heap.push([id, memory.heapUsed]);
    arrayBuffers.push([id, memory.arrayBuffers]);
    probeMs += performance.now() - probeStarted;
  }
}
ledger.closeDrain();
const elapsedS = (performance.now() - started - probeMs) / 1000;
await recorder.finish("complete", true);
const rss = process.memoryUsage().rss;
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    total,
    part,
    recordsPerSecond: total / elapsedS,
    heapMiB: heap.map(([n, h]) => [n, +(h / 2 ** 20).toFixed(1)]),
    arrayBuffersMiB: arrayBuffers.map(([n, b]) => [n, +(b / 2 ** 20).toFixed(1)]),
    rssMiB: +(rss / 2 ** 20).toFixed(1),
  }),
);
