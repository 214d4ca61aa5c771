import test from "ava";
import { evaluateThresholds, parseThreshold } from "./thresholds.ts";

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
  t.deepEqual(results.map((r) => r.passed), [true, false, false]);
  t.is(results[2]!.actual, undefined);
});
