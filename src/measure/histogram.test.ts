import test from "ava";
import { DelayHistogram, nearestRank, percentile } from "./histogram.ts";
import { seededRandom } from "../infra/random.ts";

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
