import test from "ava";
import { evaluateThresholds, parseThreshold } from "./thresholds.ts";

/** The last line of every ThresholdError. */
const SEE = "\n[threshold-invalid] see README.md#thresholds";

test("parses k6-style expressions", (t) => {
  t.deepEqual(parseThreshold("p99<2000"), { text: "p99<2000", metric: "p99", op: "<", value: 2000 });
  t.deepEqual(parseThreshold(" drop_rate == 0 "), { text: "drop_rate == 0", metric: "drop_rate", op: "==", value: 0 });
  t.is(parseThreshold("p99.9<=5000.5").value, 5000.5);
});

test("bad expressions say what is expected", (t) => {
  t.throws(() => parseThreshold("p99 below 2000"), { message: /must look like "p99<2000"/ });
  t.throws(() => parseThreshold("p98<1"), { message: /unknown metric "p98"; use one of p50, p90, p99/ });
});

test("evaluation passes, fails, and fails without data", (t) => {
  const results = evaluateThresholds([parseThreshold("p99<2000"), parseThreshold("late_rate<0.01"), parseThreshold("drop_rate==0")], {
    p99: 1500,
    late_rate: 0.02,
  });
  t.deepEqual(
    results.map((r) => r.passed),
    [true, false, false],
  );
  t.is(results[2]!.actual, undefined);
});

test("names every object inherits are unknown metrics, refused at parse time with the list, not crashing the run's end", (t) => {
  for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf", "isPrototypeOf"]) {
    const message = new RegExp(`^unknown metric "${name}"; use one of p50, p90, p99, .*, send_lateness_p99, or p\\(N\\)`);
    t.throws(() => parseThreshold(`${name}<1`), { message }, name);
  }
  // Thresholds made by hand are looked up the same way: an inherited name has no data.
  const [result] = evaluateThresholds([{ text: "constructor<1", metric: "constructor" as never, op: "<", value: 1 }], { p99: 1 });
  t.like(result, { actual: undefined, passed: false });
});

test("k6's p(N) spelling: any 0 < N ≤ 100, answered from the run's delay percentile N", (t) => {
  t.deepEqual(parseThreshold("p(99)<500"), { text: "p(99)<500", metric: "p(99)", op: "<", value: 500, percentile: 99 });
  t.like(parseThreshold("p(99.9) <= 800"), { metric: "p(99.9)", percentile: 99.9, value: 800 });
  t.like(parseThreshold("p(50)<100"), { metric: "p(50)", percentile: 50 });
  t.like(parseThreshold("p(100)<100"), { percentile: 100 });
  t.like(parseThreshold("p99<500"), { metric: "p99", percentile: undefined });
  for (const bad of ["p(0)<1", "p(101)<1", "p(-5)<1", "p()<1", "p(x)<1"]) {
    t.throws(() => parseThreshold(bad), { message: /must be p\(N\) with a number 0 < N ≤ 100/ }, bad);
  }
  t.throws(() => parseThreshold("p98<1"), {
    message: /unknown metric "p98".*; for that percentile write p\(98\)\n\[threshold-invalid\] see README\.md#thresholds$/,
  });
  const asked: number[] = [];
  const thresholds = ["p(99.9)<800", "p(50)<100", "p99<500"].map(parseThreshold);
  const results = evaluateThresholds(thresholds, { p99: 450 }, (p) => (asked.push(p), p * 8));
  t.deepEqual(asked, [99.9, 50]);
  t.deepEqual(
    results.map((r) => [r.actual, r.passed]),
    [
      [799.2, true],
      [400, false],
      [450, true],
    ],
  );
});

test("values outside a metric's range are refused, naming the range", (t) => {
  t.throws(() => parseThreshold("drop_rate<2"), { message: `drop_rate is a ratio in [0, 1]; for 2 % write drop_rate<0.02${SEE}` });
  t.throws(() => parseThreshold("delivered_rate>=99.5"), { message: `delivered_rate is a ratio in [0, 1]; for 99.5 % write delivered_rate>=0.995${SEE}` });
  t.throws(() => parseThreshold("late_rate<-0.1"), { message: `late_rate is a ratio in [0, 1]${SEE}` });
  t.throws(() => parseThreshold("drop_rate<250"), { message: `drop_rate is a ratio in [0, 1]${SEE}` });
  t.throws(() => parseThreshold("duplicates<-1"), { message: `duplicates is a count ≥ 0${SEE}` });
  t.throws(() => parseThreshold("p99<-1"), { message: `p99 is a time in ms ≥ 0${SEE}` });
  t.throws(() => parseThreshold("p(99)<-1"), { message: `p(99) is a time in ms ≥ 0${SEE}` });
  for (const ok of ["drop_rate<=1", "drop_rate==0", "delivered_rate>=0.98", "duplicates==0", "avg<0.5"]) t.notThrows(() => parseThreshold(ok), ok);
});
