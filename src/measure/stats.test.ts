import test from "ava";
import { percentile, StageStats, fitSlope, DelayHistogram, HOPS, messageHops, nearestRank } from "./stats.ts";
import { Ledger, type MessageRecord } from "./ledger.ts";
import { seededRandom } from "../infra/random.ts";
import { machineBusyMs, MACHINE_CORES } from "./machineCpu.ts";

test("nearest-rank percentiles", (t) => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  t.is(percentile(values, 50), 50);
  t.is(percentile(values, 99), 99);
  t.is(percentile(values, 100), 100);
  t.is(percentile([7], 99), 7);
  t.is(percentile([], 50), undefined);
});

/** The definition itself, on a sorted copy: the smallest value v with #{x ≤ v} ≥ p % of n (compared in exact integers). */
function oracle(values: number[], p: number): number | undefined {
  const sorted = [...values].sort((a, b) => a - b);
  const needed = BigInt(Math.round(p * 1e6)) * BigInt(sorted.length);
  for (let i = 0; i < sorted.length; i++) {
    let atOrBelow = i + 1;
    while (atOrBelow < sorted.length && sorted[atOrBelow] === sorted[i]) atOrBelow++;
    if (BigInt(atOrBelow) * 100_000_000n >= needed) return sorted[i];
    i = atOrBelow - 1;
  }
  return undefined;
}

const PERCENTILES = [0.1, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100];

test("DelayHistogram's percentiles are exactly the nearest rank of the sorted delays, small stages included", (t) => {
  const random = seededRandom(13);
  const sizes = [1, 2, 3, 10, 60, 99, 100, 101, 999, 1000, 1001, 2000];
  for (const n of sizes) {
    for (const shape of ["uniform", "ties", "heavy"] as const) {
      const values = Array.from({ length: n }, () =>
        shape === "uniform" ? random() * 5000 : shape === "ties" ? Math.floor(random() * 4) * 250 : 100 / (random() + 1e-3),
      );
      const h = new DelayHistogram();
      // Percentiles asked between records too: the merge of new values into the sorted ones is exercised.
      values.forEach((v, i) => {
        h.record(v);
        if (i % 97 === 0) t.is(h.percentile(50), oracle(values.slice(0, i + 1), 50));
      });
      for (const p of PERCENTILES) t.is(h.percentile(p), oracle(values, p), `n=${n} ${shape} p${p}`);
      t.is(h.percentile(100), Math.max(...values));
    }
  }
});

test("one 9,000 ms delay among 60: p99 is 9,000 ms (the README's example; HdrHistogram gave 558 ms)", (t) => {
  const h = new DelayHistogram();
  for (let i = 0; i < 59; i++) h.record(500 + i);
  h.record(9000);
  t.is(h.percentile(99), 9000); // rank ⌈0.99 × 60⌉ = 60
  t.is(h.percentile(98), 558); // rank ⌈0.98 × 60⌉ = 59
  t.is(h.percentile(50), 529); // rank 30
  t.is(h.percentile(100), 9000);
  const one = new DelayHistogram();
  one.record(42.5);
  t.deepEqual([one.percentile(0.1), one.percentile(50), one.percentile(99.9), one.percentile(100)], [42.5, 42.5, 42.5, 42.5]);
  t.is(new DelayHistogram().percentile(50), undefined);
});

test("the rank is computed on integers: p99.9 of 1,000 values is the 999th, not the 1,000th", (t) => {
  t.is(nearestRank(1000, 99.9), 999);
  t.is(nearestRank(41_000, 99.9), 40_959);
  t.is(nearestRank(60, 99), 60);
  t.is(nearestRank(100, 99), 99);
  t.is(nearestRank(1, 0.1), 1);
  t.is(nearestRank(10_000_000_000, 99.9), 9_990_000_000);
  t.is(
    percentile(
      Array.from({ length: 1000 }, (_, i) => i + 1),
      99.9,
    ),
    999,
  );
});

test("the live estimate is exact up to its sample size and close beyond", (t) => {
  const random = seededRandom(5);
  const h = new DelayHistogram();
  const values = Array.from({ length: 200_000 }, () => 200 + random() * 1000);
  for (const v of values.slice(0, 5000)) h.record(v);
  t.is(h.approximatePercentile(99), oracle(values.slice(0, 5000), 99));
  for (const v of values.slice(5000)) h.record(v);
  const exact = h.percentile(99)!;
  for (const v of values.slice(0, 1000)) h.record(v);
  const estimate = h.approximatePercentile(99)!;
  t.true(Math.abs(estimate - exact) < 10, `${estimate} vs ${exact}`);
});

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

const delivered = (r: Partial<MessageRecord>): MessageRecord => ({
  id: 1,
  kind: "liquidation",
  sourceChain: "Ethereum",
  destinationChain: "Base",
  stage: 0,
  intendedAt: 1000.3,
  attempts: 1,
  status: "delivered",
  ...r,
});

test("a delivered message's hops add up to its delay_ms, whichever times its relayer reports", (t) => {
  const random = seededRandom(7);
  const cases: Array<[string, Partial<MessageRecord>, string[]]> = [
    [
      "in-process relayer",
      { sentAt: 1, sourceIncludedAt: 2, vaaReadyAt: 3, relayerFetchedAt: 4, relayerSubmittedAt: 5, deliveredAt: 6 },
      ["send", "source_inclusion", "guardian_quorum", "relayer_pickup", "destination_inclusion"],
    ],
    [
      "outside relayer (reports nothing)",
      { sentAt: 1, sourceIncludedAt: 2, vaaReadyAt: 3, deliveredAt: 6 },
      ["send", "source_inclusion", "guardian_quorum", "destination_inclusion"],
    ],
    ["cosmos", { sentAt: 1, deliveredAt: 6 }, ["send", "destination_inclusion"]],
    ["ibc", { sentAt: 1, sourceIncludedAt: 2, deliveredAt: 6, acknowledgedAt: 7 }, ["send", "source_inclusion", "ibc_receive", "ibc_acknowledgement"]],
  ];
  for (const [label, times, expected] of cases) {
    for (let k = 0; k < 50; k++) {
      // Random increasing times after intended_at, in the order of the path.
      let at = 1000.3;
      const r = delivered(Object.fromEntries(Object.entries(times).map(([field]) => [field, (at += random() * 700)])));
      const hops = messageHops(r);
      t.deepEqual(Object.keys(hops), expected, label);
      const onPath = Object.entries(hops)
        .filter(([hop]) => hop !== "ibc_acknowledgement")
        .reduce((a, [, ms]) => a + ms!, 0);
      t.true(Math.abs(onPath - (r.deliveredAt! - r.intendedAt)) < 1e-9, `${label}: ${onPath} vs ${r.deliveredAt! - r.intendedAt}`);
      t.is(hops.send, r.sentAt! - r.intendedAt);
      if (r.relayerSubmittedAt === undefined && r.vaaReadyAt !== undefined) t.is(hops.destination_inclusion, r.deliveredAt! - r.vaaReadyAt);
    }
  }
  t.deepEqual(messageHops(delivered({ sentAt: 1 })), {}, "nothing for a message without a delivery");
});

test("each stage's hop means add up to its mean delay when its messages report the same hops", (t) => {
  const stats = new StageStats([{ rate: 1, startRate: 1, durationS: 10 }]);
  const random = seededRandom(3);
  for (let i = 0; i < 200; i++) {
    const intendedAt = i * 50;
    const sentAt = intendedAt + random() * 30;
    const sourceIncludedAt = sentAt + 100 + random() * 500;
    const vaaReadyAt = sourceIncludedAt + random() * 100;
    stats.offer(0);
    stats.add(
      delivered({
        id: i,
        intendedAt,
        sentAt,
        sourceIncludedAt,
        vaaReadyAt,
        relayerSubmittedAt: vaaReadyAt + random() * 50,
        deliveredAt: vaaReadyAt + 300 + random() * 900,
      }),
    );
  }
  const s = stats.stages[0]!;
  const hops = (Object.keys(HOPS) as Array<keyof typeof HOPS>).filter((h) => s.hops[h].count > 0);
  t.deepEqual(hops, ["send", "source_inclusion", "guardian_quorum", "relayer_pickup", "destination_inclusion"]);
  t.true(Math.abs(hops.reduce((a, h) => a + s.hops[h].mean!, 0) - s.delay.mean!) < 1e-6);
  // Not in percentiles: the p99s of the hops sum to more than the p99 of the delay.
  t.true(hops.reduce((a, h) => a + s.hops[h].percentile(99)!, 0) > s.delay.percentile(99)!);
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
  t.is(
    fitSlope([
      [0, 1],
      [1, 2],
    ]),
    undefined,
  );
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
