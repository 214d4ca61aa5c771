import test from "ava";
import { percentile, StageStats, fitSlope } from "./stats.ts";
import { Ledger } from "./ledger.ts";
import { machineBusyMs, MACHINE_CORES } from "./machineCpu.ts";

test("nearest-rank percentiles", (t) => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  t.is(percentile(values, 50), 50);
  t.is(percentile(values, 99), 99);
  t.is(percentile(values, 100), 100);
  t.is(percentile([7], 99), 7);
  t.is(percentile([], 50), undefined);
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

test("fitSlope: a block-time sawtooth without trend stays within its noise; a steady rise does not", (t) => {
  // In-flight sampled every 250 ms over 4 s while 500 ms blocks empty it: up 50, down 50.
  const sawtooth = Array.from({ length: 16 }, (_, i) => [i * 0.25, i % 2 === 0 ? 30 : 80] as [number, number]);
  const flat = fitSlope(sawtooth)!;
  t.true(flat.slope - 2 * flat.stdErr < 2, `slope ${flat.slope} ± ${flat.stdErr}`);
  // The same sawtooth on a backlog growing 40 messages/s.
  const growing = sawtooth.map(([x, y]) => [x, y + 40 * x] as [number, number]);
  const fit = fitSlope(growing)!;
  t.true(Math.abs(fit.slope - 40) < 10 && fit.slope - 2 * fit.stdErr > 2, `slope ${fit.slope} ± ${fit.stdErr}`);
  t.is(fitSlope([[0, 1], [1, 2]]), undefined);
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
