import test from "ava";
import { createHash } from "node:crypto";
import { schedule, stageStarts } from "./schedule.ts";
import { validateScenario } from "./scenario.ts";
import { sequenceHash } from "../report/manifest.ts";

const scenario = (seed: number) =>
  validateScenario(
    {
      seed,
      routes: [{ from: "Ethereum", to: ["Arbitrum", "Base"] }],
      stages: [{ rate: 10, duration: "2s" }, { rate: 40, duration: "1s" }],
    },
    "test",
  );

const digest = (seed: number) => createHash("sha256").update(JSON.stringify([...schedule(scenario(seed))])).digest("hex");

test("the same seed gives the same message sequence; another seed does not", (t) => {
  t.is(digest(1), digest(1));
  t.not(digest(1), digest(2));
});

test("open model: message k of a stage is intended at stageStart + k/rate", (t) => {
  const messages = [...schedule(scenario(3))];
  t.is(messages.length, 10 * 2 + 40 * 1);
  t.deepEqual(stageStarts(scenario(3)), [0, 2000]);
  const second = messages.filter((m) => m.stage === 1);
  t.is(second[0]!.intendedAt, 2000);
  t.is(second[5]!.intendedAt, 2000 + 5 * 25);
  t.deepEqual(messages.map((m) => m.id), messages.map((_, i) => i + 1));
});

test("routes and kinds follow the scenario", (t) => {
  const messages = [...schedule(scenario(4))];
  t.true(messages.every((m) => m.source === "Ethereum" && ["Arbitrum", "Base"].includes(m.destination)));
  t.true(new Set(messages.map((m) => m.destination)).size === 2);
  t.true(messages.some((m) => m.kind === "liquidation"));
});

test("a ramping stage offers its mean rate, ever denser", (t) => {
  const ramp = validateScenario(
    { routes: [{ from: "Ethereum", to: ["Base"] }], stages: [{ type: "ramping", from: 10, rate: 50, duration: "4s" }] },
    "ramp",
  );
  const times = [...schedule(ramp)].map((m) => m.intendedAt);
  t.is(times.length, 120);
  t.true(times.at(-1)! < 4000);
  const gaps = times.slice(1).map((at, i) => at - times[i]!);
  t.true(gaps[0]! > gaps.at(-1)!, "later gaps are shorter");
  t.true(Math.abs(gaps[0]! - 100) < 5, `first gap ${gaps[0]} ≈ 1/10 s`);
});

test("the sequence hash in the manifest is stable per seed", (t) => {
  t.is(sequenceHash(scenario(5)), sequenceHash(scenario(5)));
  t.not(sequenceHash(scenario(5)), sequenceHash(scenario(6)));
});
