import test from "ava";
import { dispatch, prepareDispatcher } from "./dispatcher.ts";
import { now } from "../infra/clock.ts";

test("sends every item, never before its intended time, in order", async (t) => {
  const items = Array.from({ length: 200 }, (_, k) => ({ k, intendedAt: k * 2 }));
  const sentAt: number[] = [];
  const start = now();
  await dispatch(items, start, (item) => (sentAt[item.k] = now() - start));
  t.is(sentAt.length, 200);
  for (const [k, at] of sentAt.entries()) t.true(at >= k * 2, `item ${k} left at ${at} ms, before ${k * 2} ms`);
});

test("a sender that fell behind catches up instead of stretching the schedule", async (t) => {
  // Items all due in the past: they go out at once, not one interval apart.
  const items = Array.from({ length: 50 }, (_, k) => ({ intendedAt: k }));
  let sent = 0;
  await dispatch(items, now() - 1000, () => sent++);
  t.is(sent, 50);
});

test("stops when aborted", async (t) => {
  const abort = new AbortController();
  let sent = 0;
  const items = Array.from({ length: 100 }, (_, k) => ({ intendedAt: k * 10 }));
  setTimeout(() => abort.abort(), 50);
  await dispatch(items, now(), () => sent++, abort.signal);
  t.true(sent > 0 && sent < 100);
});

test("the clock thread starts, and sends through it still never leave early", async (t) => {
  t.true(await prepareDispatcher(), "the clock thread came up");
  const items = Array.from({ length: 100 }, (_, k) => ({ k, intendedAt: 5 + k * 0.7 }));
  const early: string[] = [];
  const start = now();
  await dispatch(items, start, (item) => {
    const at = now() - start;
    if (at < item.intendedAt) early.push(`${item.k} at ${at.toFixed(3)} < ${item.intendedAt}`);
  });
  t.deepEqual(early, []);
});
