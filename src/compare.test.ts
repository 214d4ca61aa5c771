import test from "ava";
import { compare } from "./compare.ts";

const a = Array.from({ length: 100 }, (_, i) => 200 + i);

test("a shifted distribution: the difference and an interval that excludes 0", (t) => {
  const slower = a.map((v) => v + 50);
  const c = compare(0, "p50", "fast", "slow", a, slower, 1);
  t.is(c.difference, 50);
  t.true(c.ciLow! > 0 && c.ciHigh! >= 50 && c.ciLow! <= 50, `[${c.ciLow}, ${c.ciHigh}]`);
  t.regex(c.verdict, /^slow's p50 is 50 ms higher than fast's, 95 % CI \[\d+, \d+\] ms$/);
  t.regex(compare(0, "mean", "slow", "fast", slower, a, 1).verdict, /^fast's mean is 50 ms lower than slow's/);
});

test("the same distribution: no significant difference; too few deliveries say so", (t) => {
  const c = compare(0, "p99", "a", "b", a, [...a].reverse().sort((x, y) => x - y), 2);
  t.true(c.ciLow! <= 0 && c.ciHigh! >= 0);
  t.regex(c.verdict, /^no significant difference \(b − a = 0 ms, 95 % CI/);
  t.is(compare(0, "p50", "a", "b", [1], a, 3).verdict, "too few deliveries to compare");
});

test("a difference under one block time is not called one, even when the interval excludes 0", (t) => {
  const c = compare(0, "p50", "a", "b", a, a.map((v) => v + 50), 4, 200);
  t.true(c.ciLow! > 0);
  t.regex(c.verdict, /^no significant difference \(b − a = 50 ms, 95 % CI \[\d+, \d+\] ms; under one block time, 200 ms\)$/);
});

test("the bootstrap is seeded: the same inputs give the same interval", (t) => {
  const b = a.map((v, i) => v + (i % 7));
  t.deepEqual(compare(1, "p99", "a", "b", a, b, 9), compare(1, "p99", "a", "b", a, b, 9));
});
