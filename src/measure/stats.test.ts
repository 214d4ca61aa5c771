import test from "ava";
import { StageStats } from "./stats.ts";
import { DelayHistogram } from "./histogram.ts";
import { Ledger } from "./ledger.ts";
import { machineBusyMs, MACHINE_CORES } from "./machineCpu.ts";

test("jitter is p95 − p5: one lucky message does not move it", (t) => {
  const h = new DelayHistogram();
  for (let i = 1; i <= 100; i++) h.record(1000 + i);
  t.is(h.jitter, 1095 - 1005);
  h.record(1); // one message far faster than the rest
  t.is(h.jitter, 1095 - 1005); // ranks ⌈0.05 × 101⌉ = 6 and ⌈0.95 × 101⌉ = 96
  const stats = new StageStats([{ rate: 1, startRate: 1, durationS: 100 }]);
  for (let i = 1; i <= 100; i++) {
    stats.offer(0);
    stats.add({
      id: i,
      kind: "order",
      sourceChain: "a",
      destinationChain: "b",
      stage: 0,
      intendedAt: 0,
      sentAt: 0,
      deliveredAt: i,
      attempts: 1,
      status: "delivered",
    });
  }
  t.is(stats.thresholdMetrics().jitter, 95 - 5);
});

test("stage summary counts every message once, reasons its drops and counts late duplicates", (t) => {
  const ledger = new Ledger();
  const stats = new StageStats([{ rate: 10, startRate: 10, durationS: 1 }]);
  ledger.onPlan = (r) => stats.offer(r.stage, r.kind);
  ledger.onFinal = (r) => stats.add(r);
  ledger.onAnomaly = (a) => stats.addAnomaly(a);
  const base = { kind: "liquidation" as const, sourceChain: "Ethereum", destinationChain: "Base", stage: 0 };
  ledger.plan({ ...base, id: 1, intendedAt: 0 });
  ledger.plan({ ...base, id: 2, intendedAt: 100 });
  ledger.plan({ ...base, id: 3, intendedAt: 200 });
  ledger.sent(1, ledger.startedAt + 1, "0x01");
  ledger.sent(2, ledger.startedAt + 101, "0x02");
  ledger.sourceIncluded(1, "2/aa/1", ledger.startedAt + 300);
  ledger.delivered(1, ledger.startedAt + 900, "0x11", false);
  ledger.delivered(1, ledger.startedAt + 950, "0x12", false);
  t.is(ledger.inFlight, 2, "the delivered message is forgotten");
  t.is(ledger.closeDrain(), 2);
  t.is(ledger.inFlight, 0);
  const [stage] = stats.stages;
  t.is(stage!.offered, 3);
  t.is(stage!.delivered, 1);
  t.is(stage!.dropped, 2);
  t.is(stage!.duplicates, 1);
  t.is(Math.round(stage!.delay.percentile(99)!), 900);
  t.is(stage!.dropReasons.get("not-included-on-source"), 1);
  t.is(stage!.dropReasons.get("not-sent"), 1);
});

test("each stage's harness CPU, event loop and machine CPU come from the samples inside it", (t) => {
  const stats = new StageStats([
    { rate: 10, startRate: 10, durationS: 2 },
    { rate: 20, startRate: 20, durationS: 2 },
  ]);
  // Every 250 ms: the harness uses half a core, its loop is 40 % busy, the machine's cores are
  // busy 0.75 core-ms per ms in stage 0 and fully in stage 1.
  const samples = [];
  let machine = 0;
  for (let at = 0; at <= 4000; at += 250) {
    samples.push({ at, inFlight: 0, cpuMs: at * 0.5, loopActiveMs: at * 0.4, machineBusyMs: machine });
    machine += 250 * (at < 2000 ? 0.75 : 1) * MACHINE_CORES;
  }
  stats.setInFlight(samples);
  const [first, second] = stats.stages;
  t.is(first!.harnessCpu!.toFixed(2), "0.50");
  t.is(first!.harnessLoopBusy!.toFixed(2), "0.40");
  t.is(first!.machineCpu!.toFixed(2), "0.75");
  t.is(second!.machineCpu!.toFixed(2), "1.00");
  // Without /proc/stat (other systems) the machine share is unknown, not zero.
  stats.setInFlight(samples.map(({ machineBusyMs: _, ...rest }) => rest));
  t.is(stats.stages[0]!.machineCpu, undefined);
});

test("the machine's busy time is read from /proc/stat on Linux and grows", async (t) => {
  if (process.platform !== "linux") return t.pass("no /proc/stat here");
  const before = machineBusyMs();
  t.true(before !== undefined && before > 0);
  const until = performance.now() + 50;
  while (performance.now() < until); // keep a core busy for 50 ms
  t.true(machineBusyMs()! > before!);
});
