import test from "ava";
import { seededRandom } from "./random.ts";

test("the same seed gives the same sequence, in [0, 1); another seed another", (t) => {
  const [a, b, c] = [seededRandom(42), seededRandom(42), seededRandom(43)];
  const draws = Array.from({ length: 1000 }, () => a());
  t.deepEqual(
    Array.from({ length: 1000 }, () => b()),
    draws,
  );
  t.notDeepEqual(
    Array.from({ length: 1000 }, () => c()),
    draws,
  );
  t.true(draws.every((x) => x >= 0 && x < 1));
});

test("the sequence is mulberry32's: a run's messages for a seed depend on it, so it must not change", (t) => {
  const random = seededRandom(1);
  t.deepEqual([random(), random(), random()], [0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
  // Seeds are taken as unsigned 32-bit integers.
  t.deepEqual([seededRandom(-1)(), seededRandom(2 ** 32 - 1)()], [0.8964226141106337, 0.8964226141106337]);
});
