import test from "ava";
import { createHash } from "node:crypto";
import { schedule } from "./schedule.ts";
import { stageStarts } from "../measure/stages.ts";
import { validateScenario } from "../scenarios.ts";
import { sequenceHash } from "../report/manifest.ts";

const scenario = (seed: number) =>
  validateScenario(
    {
      seed,
      routes: [{ from: "Ethereum", to: ["Arbitrum", "Base"] }],
      stages: [
        { rate: 10, duration: "2s" },
        { rate: 40, duration: "1s" },
      ],
    },
    "test",
  );

const digest = (seed: number) =>
  createHash("sha256")
    .update(JSON.stringify([...schedule(scenario(seed))]))
    .digest("hex");

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
  t.deepEqual(
    messages.map((m) => m.id),
    messages.map((_, i) => i + 1),
  );
});

test("routes and kinds follow the scenario", (t) => {
  const messages = [...schedule(scenario(4))];
  t.true(messages.every((m) => m.source === "Ethereum" && ["Arbitrum", "Base"].includes(m.destination)));
  t.true(new Set(messages.map((m) => m.destination)).size === 2);
  t.true(messages.some((m) => m.kind === "liquidation"));
});

test("a ramping stage offers its mean rate, ever denser", (t) => {
  const ramp = validateScenario({ routes: [{ from: "Ethereum", to: ["Base"] }], stages: [{ type: "ramping", from: 10, rate: 50, duration: "4s" }] }, "ramp");
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

const poisson = (seed: number, stages: object[], extra: object = {}) =>
  validateScenario({ seed, arrivals: "poisson", routes: [{ from: "Ethereum", to: ["Arbitrum", "Base"] }], stages, ...extra }, "poisson");
/** The same scenario under each seed (validated once). */
const perSeed = (seeds: number[], stages: object[]) => {
  const s = poisson(1, stages);
  return seeds.map((seed) => times({ ...s, seed }));
};
/** Intended times of a stage's messages, ms from the stage's start. */
const times = (s: ReturnType<typeof poisson>, stage = 0) => [...schedule(s)].filter((m) => m.stage === stage).map((m) => m.intendedAt - stageStarts(s)[stage]!);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const cv = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2))) / mean(xs);
const gaps = (ts: number[]) => ts.slice(1).map((at, i) => at - ts[i]!);
const SEEDS = Array.from({ length: 400 }, (_, i) => i + 1);

test("Poisson arrivals: the same seed gives the same times, another seed others, and the manifest's sequence hash says so", (t) => {
  const stages = [{ rate: 20, duration: "5s" }];
  t.deepEqual(times(poisson(7, stages)), times(poisson(7, stages)));
  t.notDeepEqual(times(poisson(7, stages)), times(poisson(8, stages)));
  t.is(sequenceHash(poisson(7, stages)), sequenceHash(poisson(7, stages)));
  t.not(sequenceHash(poisson(7, stages)), sequenceHash(poisson(7, stages, { arrivals: "even" })));
  // Only the times differ: the n-th message's kind and route are the even schedule's.
  const [p, e] = [[...schedule(poisson(7, stages))], [...schedule(poisson(7, stages, { arrivals: "even" }))]];
  const n = Math.min(p.length, e.length);
  t.deepEqual(
    p.slice(0, n).map((m) => [m.kind, m.destination, m.positionSalt]),
    e.slice(0, n).map((m) => [m.kind, m.destination, m.positionSalt]),
  );
});

test("Poisson arrivals: the count over many seeds averages rate × duration, with a Poisson's spread", (t) => {
  // 50 msgs/s for 10 s: mean 500. Over 400 seeds the average count's standard error is √(500/400) ≈ 1.1;
  // the tolerance is 4 of them (± 4.5). A Poisson count's variance equals its mean: ± 20 % of it.
  const counts = perSeed(SEEDS, [{ rate: 50, duration: "10s" }]).map((ts) => ts.length);
  const variance = mean(counts.map((c) => (c - mean(counts)) ** 2));
  t.true(Math.abs(mean(counts) - 500) < 4.5, `mean count ${mean(counts)}`);
  t.true(Math.abs(variance / 500 - 1) < 0.2, `variance ${variance}`);
  t.true(new Set(counts).size > 10, "the count varies from seed to seed");
});

test("gaps: coefficient of variation about 1 for Poisson arrivals (exponential gaps), 0 for even spacing", (t) => {
  const stages = [{ rate: 100, duration: "60s" }];
  // ~6,000 gaps: the CV's standard error is about 1/√6000 ≈ 0.013; tolerance 0.05.
  const poissonGaps = gaps(times(poisson(11, stages)));
  t.true(Math.abs(cv(poissonGaps) - 1) < 0.05, `Poisson CV ${cv(poissonGaps)}`);
  t.true(Math.abs(mean(poissonGaps) - 10) < 0.5, `mean gap ${mean(poissonGaps)} ms at 100 msgs/s`);
  const evenGaps = gaps(times(poisson(11, stages, { arrivals: "even" })));
  t.true(cv(evenGaps) < 1e-9, `even CV ${cv(evenGaps)}`);
  t.true(times(poisson(11, stages)).every((at) => at >= 0 && at < 60_000));
});

test("a ramping stage's Poisson arrivals follow its rate", (t) => {
  // 10 → 90 msgs/s over 10 s: expected 150 messages in the first half (10·5 + 8·5²/2) and 350 in the second.
  const stage = [{ type: "ramping", from: 10, rate: 90, duration: "10s" }];
  const runs = perSeed(SEEDS, stage);
  const halves = runs.map((ts) => [ts.filter((at) => at < 5000).length, ts.filter((at) => at >= 5000).length]);
  // Standard errors over 400 seeds: √(150/400) ≈ 0.6 and √(350/400) ≈ 0.9; tolerance 4 of them.
  t.true(Math.abs(mean(halves.map(([first]) => first!)) - 150) < 2.5, `first half ${mean(halves.map(([first]) => first!))}`);
  t.true(Math.abs(mean(halves.map(([, second]) => second!)) - 350) < 3.8, `second half ${mean(halves.map(([, second]) => second!))}`);
  // Per second: the rate at the second's middle, 10 + 8·(i + ½), within 4 standard errors.
  const perSecond = Array.from({ length: 10 }, (_, i) => mean(runs.map((ts) => ts.filter((at) => at >= i * 1000 && at < (i + 1) * 1000).length)));
  perSecond.forEach((n, i) => {
    const expected = 10 + 8 * (i + 0.5);
    t.true(Math.abs(n - expected) < 4 * Math.sqrt(expected / SEEDS.length), `second ${i}: ${n} vs ${expected}`);
  });
  // A falling ramp too: 90 → 10.
  const fallingRuns = perSeed(SEEDS.slice(0, 100), [{ type: "ramping", from: 90, rate: 10, duration: "10s" }]);
  const falling = mean(fallingRuns.map((ts) => ts.filter((at) => at < 5000).length));
  t.true(Math.abs(falling - 350) < 4 * Math.sqrt(350 / 100), `falling ramp's first half ${falling}`);
});

test("a stage can choose its own arrivals; a wrong value names the field", (t) => {
  const s = validateScenario(
    {
      routes: [{ from: "Ethereum", to: ["Base"] }],
      stages: [
        { rate: 10, duration: "1s" },
        { rate: 10, duration: "1s", arrivals: "poisson" },
        { type: "steps", from: 5, to: 10, step: 5, duration: "1s", arrivals: "poisson" },
      ],
    },
    "mixed",
  );
  t.is(s.arrivals, "even");
  t.deepEqual(
    s.stages.map((st) => st.arrivals),
    [undefined, "poisson", "poisson", "poisson"],
  );
  t.deepEqual(cv(gaps(times(s, 0))), 0);
  t.throws(() => validateScenario({ routes: [{ from: "Ethereum", to: ["Base"] }], stages: [{ rate: 1, duration: "1s" }], arrivals: "bursty" }, "s.json"), {
    message: /field "arrivals" is "bursty"; must be "even" \(fixed gaps, the default\) or "poisson"/,
  });
  t.throws(() => validateScenario({ routes: [{ from: "Ethereum", to: ["Base"] }], stages: [{ rate: 1, duration: "1s", arrivals: "random" }] }, "s.json"), {
    message: /field "stages\[0\]\.arrivals" is "random"/,
  });
});
