import test from "ava";
import type { Hex } from "viem";
import { Reobservation, type Unconfirmed } from "./reobservation.ts";

const D: Hex = `0x${"11".repeat(32)}`;
const TX: Hex = `0x${"22".repeat(32)}`;

/** A schedule whose requests are recorded; `answer` says whether an observer is online to ask. */
function schedule(options: { firstRetryMs: number; giveUpAfterMs: number; jitter?: number; answer?: () => boolean }) {
  const requests: number[] = [];
  const givenUp: Unconfirmed[] = [];
  let at = 0;
  const r = new Reobservation({
    firstRetryMs: options.firstRetryMs,
    giveUpAfterMs: options.giveUpAfterMs,
    random: () => options.jitter ?? 0,
    request: () => {
      const ok = options.answer?.() ?? true;
      if (ok) requests.push(at);
      return ok;
    },
    giveUp: (u) => givenUp.push(u),
  });
  const sweepUntil = (end: number) => {
    for (; at <= end; at += r.sweepMs) r.sweep(at);
  };
  return { r, requests, givenUp, sweepUntil };
}

test("Wormhole's schedule: first request after the first wait, then firstRetry·2^k plus jitter, give-up after the limit", (t) => {
  // First wait 1 s (sweeps every 100 ms), no jitter: requests at 1, 1+2, 3+4, 7+8 s; given up after 20 s.
  const s = schedule({ firstRetryMs: 1000, giveUpAfterMs: 20_000 });
  t.is(s.r.sweepMs, 100);
  s.r.track(D, TX, 0);
  s.sweepUntil(25_000);
  t.deepEqual(
    s.requests.map((ms) => Math.round(ms)),
    [1000, 3000, 7000, 15000],
  );
  t.is(s.givenUp.length, 1);
  t.is(s.r.waiting(TX), undefined, "a given-up message no longer waits");
});

test("the jitter adds up to one more wait: with the largest jitter each wait doubles", (t) => {
  const s = schedule({ firstRetryMs: 1000, giveUpAfterMs: 60_000, jitter: 0.999 });
  s.r.track(D, TX, 0);
  s.sweepUntil(20_000);
  // 1 s, then 2 s + 2 s of jitter, then 4 s + 4 s: 1, 5, 13 s (on the sweep after, 100 ms apart).
  t.deepEqual(
    s.requests.map((ms) => Math.round(ms / 100) / 10),
    [1, 5, 13],
  );
});

test("no request is counted while no observer is online to make it; the next sweep tries again", (t) => {
  let online = false;
  const s = schedule({ firstRetryMs: 1000, giveUpAfterMs: 60_000, answer: () => online });
  s.r.track(D, TX, 0);
  s.sweepUntil(2500);
  t.deepEqual(s.requests, []);
  t.is(s.r.waiting(TX)?.requests, 0);
  online = true;
  s.sweepUntil(2700);
  t.is(s.requests.length, 1);
  t.is(s.r.waiting(TX)?.requests, 1);
});

test("a message that reaches quorum is no longer tracked", (t) => {
  const s = schedule({ firstRetryMs: 1000, giveUpAfterMs: 60_000 });
  s.r.track(D, TX, 0);
  t.truthy(s.r.waiting(TX));
  s.r.done(D);
  s.sweepUntil(5000);
  t.deepEqual(s.requests, []);
  t.is(s.r.waiting(TX), undefined);
});

test("the sweep runs every tenth of the first wait, between 50 ms and Wormhole's 30 s", (t) => {
  const sweep = (firstRetryMs: number) =>
    new Reobservation({ firstRetryMs, giveUpAfterMs: 1, random: Math.random, request: () => true, giveUp: () => undefined }).sweepMs;
  t.is(sweep(300_000), 30_000);
  t.is(sweep(3000), 300);
  t.is(sweep(100), 50);
  t.is(sweep(3_600_000), 30_000);
});
