import test from "ava";
import { capacityLine, capacityVerdict, DEFAULT_CRITERIA, failedCriteria, judgeStage, knee } from "./capacity.ts";
import { StageStats, type InFlightSample } from "./stats.ts";
import type { MessageRecord } from "./record.ts";
import { Trend } from "./trend.ts";
import { validateScenario } from "../scenarios.ts";

/** Stages at the given rates whose messages all took `delays[i]` ms. */
function stages(rates: number[], delays: number[], tweak: (s: StageStats["stages"][number], i: number) => void = () => {}) {
  const stats = new StageStats(rates.map((rate) => ({ rate, startRate: rate, durationS: 10 })));
  stats.stages.forEach((s, i) => {
    s.offered = s.delivered = rates[i]! * 10;
    for (let k = 0; k < 100; k++) s.delay.record(delays[i]!);
    tweak(s, i);
  });
  return stats.stages;
}

/** A delay trend rising `slope` ms per ms over a 10 s stage, 100 points. */
function growingTrend(slope: number): Trend {
  const trend = new Trend();
  for (let k = 0; k < 100; k++) trend.add(k * 100, 300 + slope * k * 100);
  return trend;
}

test("a stage that keeps up passes; a growing backlog, a drop or missing deliveries fail it", (t) => {
  const [ok, growing, dropping, short] = stages([10, 10, 10, 10], [300, 300, 300, 300], (s, i) => {
    if (i === 1) s.delayTrend = growingTrend(0.2);
    if (i === 2) s.dropped = 1;
    if (i === 3) s.delivered = 90;
  });
  t.deepEqual(failedCriteria(ok!), []);
  t.deepEqual(failedCriteria(growing!), ["backlog-growing"]);
  t.deepEqual(failedCriteria(dropping!), ["drops"]);
  t.deepEqual(failedCriteria(short!), ["delivered<98%"]);
  t.deepEqual(failedCriteria(ok!, { ...DEFAULT_CRITERIA, sloP99Ms: 200 }), ["p99>slo"]);
});

test("capacity is the last passing rate, the failure threshold the first failing one", (t) => {
  const verdict = capacityVerdict(stages([10, 20, 40, 80], [300, 310, 330, 5000], (s, i) => i === 3 && (s.delayTrend = growingTrend(0.5))));
  t.is(verdict.capacity, 40);
  t.is(verdict.failureThreshold, 80);
  t.deepEqual(verdict.failed, ["backlog-growing"]);
  const all = capacityVerdict(stages([10, 20], [300, 300]));
  t.is(all.capacity, 20);
  t.is(all.failureThreshold, undefined);
});

/**
 * One stage on a chain with blocks every `blockMs` (the first at `phaseMs`): messages are
 * intended evenly at `rate`/s for `durationS`; each block takes up to `perBlock` of them in
 * order, and a message is delivered `pathMs` plus up to 50 ms of seeded jitter after its
 * block. In-flight samples every 250 ms, as the recorder takes them.
 */
function blockStage(o: { rate: number; durationS: number; blockMs: number; phaseMs: number; perBlock: number; seed: number; pathMs?: number }) {
  const stats = new StageStats([{ rate: o.rate, startRate: o.rate, durationS: o.durationS }]);
  let seed = o.seed;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const n = o.rate * o.durationS;
  const intended = Array.from({ length: n }, (_, i) => (i * 1000) / o.rate);
  const delivered: number[] = [];
  for (let block = o.phaseMs, next = 0; delivered.length < n; block += o.blockMs) {
    for (let taken = 0; taken < o.perBlock && next < n && intended[next]! <= block; taken++, next++) delivered.push(block + (o.pathMs ?? 700) + 50 * random());
  }
  const samples: InFlightSample[] = [];
  for (let at = 0; at <= o.durationS * 1000; at += 250) {
    samples.push({ at, inFlight: intended.filter((x) => x <= at).length - delivered.filter((d) => d <= at).length });
  }
  intended.forEach((intendedAt, id) => {
    stats.offer(0, "liquidation");
    const r = { id, kind: "liquidation", stage: 0, intendedAt, sentAt: intendedAt, deliveredAt: delivered[id], status: "delivered", attempts: 1, late: false };
    stats.add(r as MessageRecord);
  });
  stats.setInFlight(samples);
  return stats.stages[0]!;
}

test("backlog-growing sees a 5 % deficit at 100 msgs/s on 1 s blocks over 10 s, which the in-flight slope missed", (t) => {
  for (const seed of [1, 2, 3]) {
    for (const phaseMs of [0, 250, 500, 900]) {
      // 95 per block against 100 offered per second.
      const s = blockStage({ rate: 100, durationS: 10, blockMs: 1000, phaseMs, perBlock: 95, seed });
      const at = `seed ${seed}, phase ${phaseMs} ms: delay slope ${s.delayTrend.fit()?.slope.toFixed(4)}, in-flight slope ${s.inFlightSlope?.toFixed(2)}`;
      t.deepEqual(failedCriteria(s), ["backlog-growing"], at);
      // The old criterion (in-flight slope's lower bound over max(1, 2 % of the rate) msgs/s) let it pass.
      t.true(s.inFlightSlopeLow! <= Math.max(1, 0.02 * s.offeredRate), at);
    }
  }
});

test("a stage that keeps up passes backlog-growing whatever the phase of its blocks", (t) => {
  for (const seed of [1, 2, 3]) {
    for (let phaseMs = 0; phaseMs < 1000; phaseMs += 100) {
      const s = blockStage({ rate: 100, durationS: 10, blockMs: 1000, phaseMs, perBlock: 1000, seed });
      t.deepEqual(failedCriteria(s), [], `seed ${seed}, phase ${phaseMs} ms: delay slope ${s.delayTrend.fit()?.slope}`);
    }
  }
});

test("the block sawtooth biases the delay slope by at most about (block time / stage length)²", (t) => {
  for (const [durationS, blockMs] of [
    [10, 1000],
    [10, 500],
    [20, 1000],
  ] as const) {
    const bound = (blockMs / 1000 / durationS) ** 2;
    for (let phaseMs = 0; phaseMs < blockMs; phaseMs += blockMs / 20) {
      const slope = blockStage({ rate: 100, durationS, blockMs, phaseMs, perBlock: 100_000, seed: 1, pathMs: 0 }).delayTrend.fit()!.slope;
      t.true(Math.abs(slope) <= 1.05 * bound, `${durationS} s of ${blockMs} ms blocks, phase ${phaseMs}: slope ${slope}, (P/T)² ${bound}`);
    }
  }
});

test("the streaming fit matches a direct least-squares fit", (t) => {
  const trend = new Trend();
  const points = [
    [0, 5],
    [100, 7],
    [250, 6],
    [400, 11],
    [900, 13],
  ] as const;
  for (const [x, y] of points) trend.add(x, y);
  const mx = points.reduce((a, [x]) => a + x, 0) / points.length;
  const my = points.reduce((a, [, y]) => a + y, 0) / points.length;
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const slope = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / sxx;
  const rss = points.reduce((a, [x, y]) => a + (y - my - slope * (x - mx)) ** 2, 0);
  const fit = trend.fit()!;
  t.true(Math.abs(fit.slope - slope) < 1e-12);
  t.true(Math.abs(fit.stdErr - Math.sqrt(rss / 3 / sxx)) < 1e-12);
  t.is(new Trend().fit(), undefined);
});

test("more than 1 % of a stage's liquidation triggers late or dropped fails it (deadlines-missed), overridable", (t) => {
  const [onTime, oneLate, twoMissed] = stages([10, 10, 10], [300, 300, 300], (s, i) => {
    s.liquidation.offered = s.liquidation.delivered = 100;
    if (i === 1) s.liquidation.late = 1;
    if (i === 2) [s.liquidation.late, s.liquidation.dropped, s.liquidation.delivered, s.dropped, s.delivered] = [1, 1, 99, 1, 99];
  });
  t.deepEqual(failedCriteria(onTime!), []);
  t.deepEqual(failedCriteria(oneLate!), [], "1 % is not more than 1 %");
  t.deepEqual(failedCriteria(twoMissed!), ["drops", "deadlines-missed"]);
  t.deepEqual(failedCriteria(twoMissed!, { ...DEFAULT_CRITERIA, maxLateShare: 0.05 }), ["drops"]);
});

test("not-sent messages make a stage harness-limited, not a drop, and leave it out of the capacity", (t) => {
  const all = stages([10, 20, 40], [300, 300, 300], (s, i) => {
    if (i === 2) [s.notSent, s.dropped, s.delivered] = [50, 50, 350];
  });
  t.deepEqual(failedCriteria(all[2]!), ["delivered<98%", "harness-limited"]);
  const judgements = all.map((s) => judgeStage(s));
  t.deepEqual(
    judgements.map((j) => j.judgedAs),
    ["capacity", "capacity", "harness-limited"],
  );
  const verdict = capacityVerdict(all, judgements);
  t.is(verdict.capacity, 20);
  t.is(verdict.failureThreshold, undefined, "the harness's limit is not the bridge's failure");
  t.is(verdict.bound, "lower");
  t.deepEqual(verdict.leftOut, [{ stage: 2, judgedAs: "harness-limited" }]);
  t.is(
    capacityLine(verdict),
    ["throughput capacity ≥ 20 msgs/s (no stage failed: a lower bound)", "1 stage left out of the capacity: stage 2 harness-limited (not-sent messages)"].join(
      "; ",
    ),
  );
});

test("a stage a fault overlapped is judged under fault and left out of the capacity", (t) => {
  const all = stages([10, 20, 40, 80], [300, 300, 300, 300], (s, i) => {
    if (i === 1) [s.dropped, s.delivered] = [150, 50];
    if (i === 3) s.delayTrend = growingTrend(0.5);
  });
  const judgements = all.map((s, i) => judgeStage(s, DEFAULT_CRITERIA, { faults: i === 1 ? "guardians-offline(count=7)@10s+10s" : "", atMs: 1 }));
  t.is(judgements[1]!.judgedAs, "under-fault");
  t.deepEqual(judgements[1]!.failed, ["delivered<98%", "drops"], "its failures are still listed");
  const verdict = capacityVerdict(all, judgements);
  t.is(verdict.capacity, 40);
  t.is(verdict.failureThreshold, 80);
  t.is(verdict.bound, "exact");
  t.is(
    capacityLine(verdict),
    ["throughput capacity 40 msgs/s", "failure threshold 80 msgs/s (backlog-growing)", "1 stage left out of the capacity: stage 1 under fault"].join("; "),
  );
});

test("the capacity bound says whether a failing stage bounded it", (t) => {
  t.is(capacityVerdict(stages([10, 20], [300, 300])).bound, "lower");
  t.regex(capacityLine(capacityVerdict(stages([10, 20], [300, 300]))), /^throughput capacity ≥ 20 msgs\/s \(no stage failed: a lower bound\)$/);
  t.is(capacityVerdict(stages([10, 20], [300, 300], (s, i) => i === 1 && (s.dropped = 1))).bound, "exact");
  const none = capacityVerdict(stages([10, 20], [300, 300], (s) => (s.dropped = 1)));
  t.deepEqual([none.capacity, none.failureThreshold, none.bound], [undefined, 10, "upper"]);
});

test("the knee sits where p99 turns from flat to steep", (t) => {
  t.is(knee(stages([10, 20, 30, 40, 50, 60], [300, 305, 310, 320, 900, 3000])), 40);
  t.is(knee(stages([10, 20], [300, 900])), undefined);
});

test("a flat p99 has no knee, however its scatter normalises", (t) => {
  // The default scenario's stages: p99 767, 771, 775, 787 ms (1 s-block scatter, 2.6 % in all).
  t.is(knee(stages([5, 20, 50, 100], [767, 771, 775, 787])), undefined);
  // Up by less than a quarter overall: still flat.
  t.is(knee(stages([10, 20, 30, 40], [800, 810, 820, 990])), undefined);
  // A dip then a small recovery does not make one either: nothing after the "knee" is a quarter above it.
  t.is(knee(stages([10, 20, 30, 40], [1000, 700, 710, 760])), undefined);
  // A quarter and more after it does.
  t.is(knee(stages([10, 20, 30, 40], [800, 805, 810, 1100])), 30);
});

test("slo.maxLateShare is a share from 0 to 1", (t) => {
  const scenario = (slo: unknown) => validateScenario({ routes: [{ from: "Ethereum", to: ["Base"] }], stages: [{ rate: 1, duration: "1s" }], slo }, "test");
  t.is(scenario({ maxLateShare: 0.05 }).maxLateShare, 0.05);
  t.is(scenario({}).maxLateShare, undefined);
  t.throws(() => scenario({ maxLateShare: 5 }), { message: /slo\.maxLateShare.*must be a share from 0 to 1, e\.g\. 0\.05/ });
});
