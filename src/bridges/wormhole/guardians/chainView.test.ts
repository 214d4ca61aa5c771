import test, { type ExecutionContext } from "ava";
import { setTimeout as sleep } from "node:timers/promises";
import type { Address } from "viem";
import { now } from "../../../infra/clock.ts";
import { ChainViews, HeadHistory, viewLags, type ChainViewOptions } from "./chainView.ts";
import { Guardian, type ChainObserverOptions, type Observation } from "./guardian.ts";
import { generateGuardianKeys } from "./guardianKeys.ts";
import { testMessage } from "./testMessages.ts";

const CORE: Address = `0x${"98".repeat(20)}`;

/**
 * Views of chain 2 for `count` guardians, on stand-in pollers the test drives: `pollers[0]` is
 * the shared one, the others the own links' in order. Observations are collected as gossiped.
 */
function views(t: ExecutionContext, count: number, options: Partial<ChainViewOptions> = {}) {
  const observations: Observation[] = [];
  const guardians = generateGuardianKeys(count).map((key) => new Guardian({ key, gossip: (o) => observations.push(o) }));
  const pollers: ChainObserverOptions[] = [];
  const v = new ChainViews({
    chains: [{ wormholeChainId: 2, rpcUrl: "http://127.0.0.1:1", coreAddress: CORE }],
    guardians,
    poller: (o) => {
      pollers.push(o);
      return { start: async () => undefined, stop: async () => undefined };
    },
    ...options,
  });
  t.teardown(() => v.stop());
  return { v, guardians, pollers, observations };
}

test("view lags: drawn from the seed in [0, max) whole ms, the same for the same seed, all 0 with max 0", (t) => {
  const lags = viewLags(7, 19, 20);
  t.deepEqual(viewLags(7, 19, 20), lags);
  t.notDeepEqual(viewLags(8, 19, 20), lags);
  t.true(lags.every((l) => Number.isInteger(l) && l >= 0 && l < 20));
  t.true(new Set(lags).size > 5, `lags spread over the range: ${lags.join(", ")}`);
  t.deepEqual(viewLags(7, 19, 0), Array(19).fill(0));
});

test("head history: the head as of a time, pruned only past what the longest lag can read", (t) => {
  const h = new HeadHistory(50);
  t.is(h.headAt(1000), undefined);
  h.record(10n, 1000);
  h.record(10n, 1010); // no new head: nothing kept
  h.record(11n, 1020);
  t.is(h.headAt(999), undefined);
  t.is(h.headAt(1019), 10n);
  t.is(h.headAt(1020), 11n);
  h.record(12n, 1100);
  // 12 at 1100 pruned 10 (1000 ≤ cut 1050 and 11 at 1020 also ≤ it) but kept 11, the head as of 1050…1099.
  t.is(h.headAt(1050), 11n);
  t.is(h.headAt(1000), undefined);
  t.is(h.latest, 12n);
});

test("a guardian with lag observes what the shared poller handed over lag ms later, its observation time moved by the lag", async (t) => {
  const lags = [0, 0, 30, 60];
  const { v, pollers, observations } = views(t, 4, { lagsMs: lags });
  await v.start();
  t.is(pollers.length, 1, "one shared poller, no own link");
  const m = testMessage(1);
  pollers[0]!.onReady(m);
  t.deepEqual(
    observations.map((o) => o.guardianIndex),
    [0, 1],
    "lag 0 observes at once",
  );
  await sleep(100);
  t.deepEqual(
    observations.map((o) => o.guardianIndex),
    [0, 1, 2, 3],
  );
  for (const o of observations) t.is(o.observedAt, m.observedAt + lags[o.guardianIndex]!);
  t.is(new Set(observations.map((o) => o.digest)).size, 1, "one body, one digest");
  t.is(v.lagOf(3), 60);
});

test("a guardian on its own link takes that chain's messages and head from its own poller only", async (t) => {
  const { v, pollers, observations } = views(t, 4, { ownLinks: [{ wormholeChainId: 2, guardians: [2, 3], rpcUrl: "http://127.0.0.1:2" }] });
  await v.start();
  t.is(v.pollers, 2);
  t.deepEqual(
    pollers.map((p) => p.chain.rpcUrl),
    ["http://127.0.0.1:1", "http://127.0.0.1:2"],
  );
  const [shared, own] = pollers as [ChainObserverOptions, ChainObserverOptions];
  shared.onHead!(100n, now());
  own.onHead!(95n, now());
  shared.onReady(testMessage(1));
  t.deepEqual(
    observations.map((o) => o.guardianIndex),
    [0, 1],
    "the shared poller's message reaches guardians 0 and 1 only",
  );
  own.onReady(testMessage(1));
  t.deepEqual(
    observations.map((o) => o.guardianIndex),
    [0, 1, 2, 3],
  );
  t.is(v.headOf(0, 2), 100n);
  t.is(v.headOf(3, 2), 95n);
  const beat = v.beat();
  t.deepEqual(beat.chains[0]!.heads, [100n, 100n, 95n, 95n]);
  t.is(beat.spread, 5);
});

test("heartbeats: each online guardian reports its view's head; an offline one sends none; the spread is max − min", async (t) => {
  const { v, guardians, pollers } = views(t, 3, { lagsMs: [0, 0, 40], heartbeatMs: 50 });
  const beats: number[] = [];
  v.onHeartbeat = (beat) => beats.push(beat.spread);
  await v.start();
  const shared = pollers[0]!;
  // Whole ms: with a fractional clock reading, (at + 40) − 40 can come out an ulp below at.
  const at = Math.floor(now());
  shared.onHead!(7n, at - 100);
  shared.onHead!(9n, at);
  // Guardian 2 sees the shared poller 40 ms late: head 7 until 40 ms after 9 arrived.
  t.deepEqual(v.beat(at).chains[0]!.heads, [9n, 9n, 7n]);
  t.is(v.beat(at).spread, 2);
  t.deepEqual(v.beat(at + 40).chains[0]!.heads, [9n, 9n, 9n]);
  guardians[2]!.online = false;
  t.deepEqual(v.beat(at).chains[0]!.heads, [9n, 9n, undefined]);
  t.is(v.beat(at).spread, 0, "an offline guardian's head does not count");
  while (beats.length < 2) await sleep(20);
  t.deepEqual(beats.slice(0, 2), [0, 0]);
});

test("without lags or own links every guardian observes at once, as before views", async (t) => {
  const { v, pollers, observations } = views(t, 19);
  await v.start();
  const m = testMessage(3);
  pollers[0]!.onReady(m);
  t.is(observations.length, 19);
  t.true(observations.every((o) => o.observedAt === m.observedAt));
});
