import test from "ava";
import { capacityVerdict, failedCriteria, knee } from "./capacity.ts";
import { StageStats } from "./stats.ts";

/** Stages at the given rates whose messages all took `delays[i]` ms. */
function stages(rates: number[], delays: number[], tweak: (s: StageStats["stages"][number], i: number) => void = () => {}) {
  const stats = new StageStats(rates.map((rate) => ({ rate, startRate: rate, durationS: 10 })));
  stats.stages.forEach((s, i) => {
    s.offered = s.delivered = rates[i]! * 10;
    for (let k = 0; k < 100; k++) s.delay.record(delays[i]!);
    s.inFlightSlope = 0;
    tweak(s, i);
  });
  return stats.stages;
}

test("a stage that keeps up passes; a growing backlog, a drop or missing deliveries fail it", (t) => {
  const [ok, growing, dropping, short] = stages([10, 10, 10, 10], [300, 300, 300, 300], (s, i) => {
    if (i === 1) s.inFlightSlope = 5;
    if (i === 2) s.dropped = 1;
    if (i === 3) s.delivered = 90;
  });
  t.deepEqual(failedCriteria(ok!), []);
  t.deepEqual(failedCriteria(growing!), ["in-flight-growing"]);
  t.deepEqual(failedCriteria(dropping!), ["drops"]);
  t.deepEqual(failedCriteria(short!), ["delivered<98%"]);
  t.deepEqual(failedCriteria(ok!, { minDeliveredRatio: 0.98, maxInFlightGrowth: 0.02, sloP99Ms: 200 }), ["p99>slo"]);
});

test("capacity is the last passing rate, the failure threshold the first failing one", (t) => {
  const verdict = capacityVerdict(stages([10, 20, 40, 80], [300, 310, 330, 5000], (s, i) => i === 3 && (s.inFlightSlope = 30)));
  t.is(verdict.capacity, 40);
  t.is(verdict.failureThreshold, 80);
  t.deepEqual(verdict.failed, ["in-flight-growing"]);
  const all = capacityVerdict(stages([10, 20], [300, 300]));
  t.is(all.capacity, 20);
  t.is(all.failureThreshold, undefined);
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
