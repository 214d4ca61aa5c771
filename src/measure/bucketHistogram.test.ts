import test from "ava";
import { seededRandom } from "../infra/random.ts";
import { BucketHistogram, bucketFloor, bucketOf } from "./bucketHistogram.ts";
import { percentile } from "./histogram.ts";

test("buckets are 0.1 ms wide up to 204.7 ms, at most 0.1 % wide above, and their floors rise with their index", (t) => {
  t.is(bucketFloor(bucketOf(12.34)), 12.3);
  t.is(bucketFloor(bucketOf(204.79)), 204.7);
  t.is(bucketFloor(bucketOf(-5)), 0);
  let previous = -1;
  for (let b = 0; b < bucketOf(3_600_000); b++) {
    const floor = bucketFloor(b);
    t.true(floor > previous, `bucket ${b}`);
    previous = floor;
    if (bucketOf(floor) !== b) t.fail(`bucket ${b} does not hold its own floor ${floor}`);
  }
  const random = seededRandom(7);
  for (let i = 0; i < 10_000; i++) {
    const v = random() * 10 ** (random() * 7);
    const floor = bucketFloor(bucketOf(v));
    t.true(floor <= v + 1e-9 && (v < 204.8 ? v - floor < 0.1 + 1e-9 : (v - floor) / v <= 1 / 1024), `${v} read as ${floor}`);
  }
});

test("percentiles are the nearest-rank percentiles of the delays rounded down to their buckets; max is exact", (t) => {
  const random = seededRandom(11);
  for (const n of [1, 2, 3, 99, 100, 101, 1000, 12_345]) {
    const h = new BucketHistogram();
    const values: number[] = [];
    for (let i = 0; i < n; i++) {
      // A cluster near 40 ms, a slow tail to seconds.
      const v = random() < 0.9 ? 35 + random() * 10 : 200 + random() * 3000;
      values.push(v);
      h.record(v);
    }
    const oracle = Float64Array.from(values, (v) => bucketFloor(bucketOf(v))).sort();
    for (const p of [0.1, 5, 50, 90, 99, 99.9]) t.is(h.percentile(p), percentile(oracle, p), `n ${n} p${p}`);
    t.is(h.percentile(100), Math.max(...values));
    t.is(h.max, Math.max(...values));
    t.is(h.count, n);
  }
  t.is(new BucketHistogram().percentile(50), undefined);
});
