import test from "ava";
import { setTimeout as sleep } from "node:timers/promises";
import { now } from "../../../infra/clock.ts";
import { Gossip } from "./gossip.ts";
import type { Observation } from "./guardian.ts";
import { FLAT_TOPOLOGY, type GossipTopology } from "./topology.ts";

const observation = (guardianIndex: number): Observation => ({ guardianIndex }) as Observation;

function gossip(options: { batching?: { maxDelayMs: number; maxSize: number }; topology?: GossipTopology; guardians?: number }) {
  const arrived: Array<{ guardians: number[]; at: number }> = [];
  const g = new Gossip({
    guardianCount: options.guardians ?? 4,
    batching: options.batching,
    topology: options.topology ?? FLAT_TOPOLOGY,
    arrive: (batch, at) => arrived.push({ guardians: batch.map((o) => o.guardianIndex), at }),
  });
  return { g, arrived };
}

test("without batching an observation arrives at once, in the same call", (t) => {
  const { g, arrived } = gossip({});
  g.start();
  g.publish(observation(2));
  t.deepEqual(
    arrived.map((a) => a.guardians),
    [[2]],
  );
  g.stop();
});

test("with batching a guardian's observations wait for the end of its window, at most maxDelayMs, and go as one batch", async (t) => {
  const { g, arrived } = gossip({ batching: { maxDelayMs: 200, maxSize: 100 } });
  g.start();
  t.teardown(() => g.stop());
  const sent = now();
  g.publish(observation(1));
  g.publish(observation(1));
  t.deepEqual(arrived, []);
  while (!arrived.length) await sleep(10);
  t.deepEqual(arrived[0]!.guardians, [1, 1]);
  // Its window ends within one window of the publish (plus room for a busy machine's timer lateness).
  t.true(arrived[0]!.at - sent <= 200 + 400, `waited ${arrived[0]!.at - sent} ms`);
});

test("a full batch goes out at once", (t) => {
  const { g, arrived } = gossip({ batching: { maxDelayMs: 60_000, maxSize: 3 } });
  g.start();
  for (let i = 0; i < 3; i++) g.publish(observation(0));
  t.deepEqual(
    arrived.map((a) => a.guardians),
    [[0, 0, 0]],
  );
  g.stop();
});

test("a published batch reaches the aggregation point the topology's delay later; stop drops what is under way", async (t) => {
  const topology: GossipTopology = { regionOf: () => "far", delayMs: (from) => (from === 3 ? 80 : 0) };
  const { g, arrived } = gossip({ topology });
  g.start();
  const sent = now();
  g.publish(observation(3));
  g.publish(observation(0));
  t.deepEqual(
    arrived.map((a) => a.guardians),
    [[0]],
  );
  while (arrived.length < 2) await sleep(10);
  t.deepEqual(arrived[1]!.guardians, [3]);
  t.true(arrived[1]!.at - sent >= 79, `arrived after ${arrived[1]!.at - sent} ms`);
  g.publish(observation(3));
  g.stop();
  await sleep(120);
  t.is(arrived.length, 2, "nothing arrives after stop");
});
