import test from "ava";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import {
  ALPHA,
  analyzeComparison,
  compareRelayers,
  detectableDifference,
  holm,
  minMessages,
  pairedInterval,
  presetLabels,
  readRunSamples,
  repeatProblem,
  writeComparisonCsvs,
  type ComparedRun,
} from "./compare.ts";
import { loadScenario } from "./scenarios.ts";
import { seededRandom } from "./infra/random.ts";
import { percentile } from "./measure/histogram.ts";
import { tQuantile } from "./measure/tdist.ts";

interface Msg {
  stage: number;
  intendedAt: number;
  /** Delay in ms, or undefined for a dropped message. */
  delay?: number;
  status?: string;
}

/** A run folder as runScenario leaves it, as far as the comparison reads it: manifest.json and messages.csv. */
function writeRun(dir: string, stages: Array<{ rate: number; durationS: number; startAtMs?: number }>, drainS: number, messages: Msg[]): string {
  mkdirSync(dir, { recursive: true });
  const config = {
    name: "synthetic",
    bridge: "wormhole",
    chains: { Ethereum: { blockTimeMs: 200 }, Base: { blockTimeMs: 200 } },
    routes: [{ from: "Ethereum", to: ["Base"] }],
    stages: stages.map((s) => ({ ...s, startRate: s.rate })),
    drainS,
  };
  writeFileSync(join(dir, "manifest.json"), JSON.stringify({ scenario: { name: "synthetic", config } }));
  const lines = ["message_id,stage,intended_at_ms,delivered_at_ms,delay_ms,status,drop_reason"];
  messages.forEach((m, i) => {
    const delivered = m.delay !== undefined;
    const status = m.status ?? (delivered ? "delivered" : "dropped");
    const times = delivered ? [(m.intendedAt + m.delay!).toFixed(1), m.delay!.toFixed(1)] : ["", ""];
    lines.push([i + 1, m.stage, m.intendedAt.toFixed(1), ...times, status, delivered ? "" : "not-submitted-by-relayer"].join(","));
  });
  writeFileSync(join(dir, "messages.csv"), `${lines.join("\n")}\n`);
  return dir;
}

/** One stage of `count` messages at `rate`/s, each delay drawn uniformly from [low, high) by a seeded stream. */
function uniformStage(seed: number, count: number, rate: number, low: number, high: number): Msg[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, k) => ({ stage: 0, intendedAt: (k * 1000) / rate, delay: low + (high - low) * random() }));
}

/** Runs of two presets, interleaved, in a fresh folder; `make(preset, repeat)` gives a run's messages. */
function comparisonOf(repeats: number, count: number, rate: number, make: (preset: "A" | "B", repeat: number) => Msg[]): ComparedRun[] {
  const root = mkdtempSync(join(tmpdir(), "compare-unit-"));
  const runs: ComparedRun[] = [];
  for (let i = 1; i <= repeats; i++) {
    for (const preset of ["A", "B"] as const) {
      const dir = writeRun(join(root, `repeat${i}-${preset}`), [{ rate, durationS: count / rate }], 20, make(preset, i));
      runs.push({ preset, relayer: preset, repeat: i, dir });
    }
  }
  return runs;
}

test("minimum messages per run: the distribution-free 95 % interval for a quantile, 2 for a mean", (t) => {
  t.is(minMessages("p99"), 368);
  t.is(minMessages("p50"), 6);
  t.is(minMessages("mean"), 2);
  t.is(minMessages("delivered_share"), 1);
  // The rule: the smallest n with max(q, 1 − q)^n ≤ 0.025.
  t.true(0.99 ** 368 <= 0.025 && 0.99 ** 367 > 0.025);
  t.true(0.5 ** 6 <= 0.025 && 0.5 ** 5 > 0.025);
});

test("the floor is checked against the interval, not the point estimate: d̄ = 520, CI [357, 683], floor 500 → not beyond", (t) => {
  // Five pair differences with mean 520 and s_d = 131.2: at m = 1 the 95 % interval is 520 ± 2.776 · 58.7.
  const d = [354, 437, 520, 603, 686];
  const ci = pairedInterval(d, 1, 500);
  t.is(ci.mean, 520);
  t.true(Math.abs(ci.low - 357.05) < 0.01 && Math.abs(ci.high - 682.95) < 0.01, `[${ci.low}, ${ci.high}]`);
  t.is(ci.level, 0.95);
  t.false(ci.beyondFloor, "520 is beyond 500, but the interval reaches down to 357");
  t.true(ci.pOneSided > ALPHA / 2, `p = ${ci.pOneSided}`);
  t.true(pairedInterval(d, 1, 300).beyondFloor);
  // Below −floor counts the same way; a Bonferroni level widens the interval (m = 6: t(1 − 0.05/12, 4) = 4.851).
  t.true(
    pairedInterval(
      d.map((x) => -x),
      1,
      300,
    ).beyondFloor,
  );
  const six = pairedInterval(d, 6, 300);
  t.true(Math.abs(six.high - six.low - 2 * 4.85100844309786 * (Math.sqrt(17_222.5) / Math.sqrt(5))) < 1e-6);
  t.false(six.beyondFloor, "at m = 6 the interval reaches below 300");
});

test("s_d = 0: the interval is the point d̄, and p is 0 beyond the floor, 1 within it", (t) => {
  t.like(pairedInterval([250, 250, 250], 4, 200), { mean: 250, sd: 0, low: 250, high: 250, beyondFloor: true, pOneSided: 0 });
  t.like(pairedInterval([0, 0, 0], 4, 200), { low: 0, high: 0, beyondFloor: false, pOneSided: 1 });
  t.like(pairedInterval([-0.2, -0.2, -0.2], 2, 0.01), { beyondFloor: true, pOneSided: 0 });
});

test("Holm on a worked example: p = 0.01, 0.04, 0.03, 0.005 → 0.03, 0.06, 0.06, 0.02", (t) => {
  const adjusted = holm([0.01, 0.04, 0.03, 0.005]);
  const expected = [0.03, 0.06, 0.06, 0.02];
  for (const [i, p] of adjusted.entries()) t.true(Math.abs(p - expected[i]!) < 1e-12, `${i}: ${p}`);
  t.deepEqual(holm([0.5, 1, 0.9]), [1, 1, 1]);
  t.deepEqual(holm([]), []);
});

test("an interval wholly beyond the floor at level 1 − α/m always passes Holm at α/2 (seeded families)", (t) => {
  const random = seededRandom(5);
  let beyond = 0;
  for (let family = 0; family < 300; family++) {
    const m = 1 + Math.floor(random() * 12);
    const n = 3 + Math.floor(random() * 8);
    const intervals = Array.from({ length: m }, () => {
      const shift = (random() - 0.3) * 1500;
      return pairedInterval(
        Array.from({ length: n }, () => shift + (random() - 0.5) * 600),
        m,
        200,
      );
    });
    const adjusted = holm(intervals.map((c) => c.pOneSided));
    intervals.forEach((c, i) => {
      if (!c.beyondFloor) return;
      beyond++;
      t.true(adjusted[i]! <= ALPHA / 2, `m ${m}, n ${n}: p_holm ${adjusted[i]}`);
    });
  }
  t.true(beyond > 50, `families with intervals beyond the floor: ${beyond}`);
});

test("censoring: undelivered messages count as (end of the last stage + drain) − intended_at, or from a later last delivery", (t) => {
  const root = mkdtempSync(join(tmpdir(), "compare-censor-"));
  const stages = [
    { rate: 2, durationS: 2 },
    { rate: 2, durationS: 2 },
  ];
  const dir = writeRun(join(root, "run"), stages, 10, [
    { stage: 0, intendedAt: 0, delay: 300 },
    { stage: 0, intendedAt: 500, delay: undefined },
    { stage: 1, intendedAt: 3000, delay: undefined, status: "in-flight" },
    { stage: 1, intendedAt: 3500, delay: 900 },
  ]);
  const run = readRunSamples(dir);
  // Stages end at 4 s, the drain 10 s later.
  t.is(run.drainEndMs, 14_000);
  t.deepEqual(run.stages[0], { offered: 2, delivered: 1, delays: [300, 13_500], censoredFromMs: 13_500 });
  t.deepEqual(run.stages[1], { offered: 2, delivered: 1, delays: [900, 11_000], censoredFromMs: 11_000 });

  // A capacity search's probes start where they say; a delivery after the drain's end moves the censoring point to it.
  const probes = writeRun(
    join(root, "probes"),
    [
      { rate: 2, durationS: 1, startAtMs: 0 },
      { rate: 2, durationS: 1, startAtMs: 5000 },
    ],
    2,
    [
      { stage: 1, intendedAt: 5500, delay: 2000 },
      { stage: 1, intendedAt: 5000, delay: undefined },
    ],
  );
  const late = readRunSamples(probes);
  t.is(late.drainEndMs, 8000);
  t.deepEqual(late.stages[1]!.delays, [2000, 3000]);
  writeRun(
    probes,
    [
      { rate: 2, durationS: 1, startAtMs: 0 },
      { rate: 2, durationS: 1, startAtMs: 5000 },
    ],
    2,
    [
      { stage: 1, intendedAt: 5500, delay: 2600 },
      { stage: 1, intendedAt: 5000, delay: undefined },
    ],
  );
  t.is(readRunSamples(probes).drainEndMs, 8100);
  t.deepEqual(readRunSamples(probes).stages[1]!.delays, [2600, 3100], "the drop still ranks above every delivery");
});

test("a relayer that never delivers its slowest 20 % does not come out faster", (t) => {
  // B's runs draw delays like A's but drop the slowest fifth. Delivered messages alone would make B's p99 ~400 ms lower.
  const runs = comparisonOf(3, 400, 20, (preset, i) => {
    const messages = uniformStage(100 * i + (preset === "A" ? 1 : 2), 400, 20, 500, 2500);
    if (preset === "A") return messages;
    const cut = percentile(
      messages.map((m) => m.delay!).sort((a, b) => a - b),
      80,
    )!;
    return messages.map((m) => (m.delay! > cut ? { ...m, delay: undefined } : m));
  });
  const { comparisons, statistics } = analyzeComparison(runs);
  const line = (metric: string) => comparisons.find((c) => c.metric === metric)!;
  for (const c of comparisons) t.log(`${c.metric}: ${c.verdict}`);

  const deliveredOnly = (preset: string) => statistics.filter((s) => s.preset === preset && s.metric === "p99");
  t.true(
    deliveredOnly("B").every((s) => s.value! > 20_000),
    "B's p99 is a censored drop: at least the drain",
  );
  t.like(line("delivered_share"), { outcome: "different", otherDropped: 240, baselineDropped: 0, sdDifference: 0 });
  t.true(Math.abs(line("delivered_share").difference! + 0.2) < 1e-12);
  t.regex(line("delivered_share").verdict, /^B's delivered share is 20\.0 percentage points lower than A's/);
  t.like(line("p99"), { outcome: "different" });
  t.true(line("p99").difference! > 17_000);
  t.regex(line("p99").verdict, /^B's p99 delay is \d+ ms higher than A's: /);
  t.regex(line("p99").verdict, / \(B dropped 240 of 1200 over 3 runs each; drops counted as delays ≥ 20\.\d s, the drain's end\)$/);
  t.like(line("mean"), { outcome: "different" });
  t.true(line("mean").difference! > 0);
  for (const c of comparisons.filter((c) => c.metric !== "delivered_share")) t.notRegex(c.verdict, /lower than A's/);
  t.is(line("p50").family, 4, "every metric has enough messages: 4 verdicts in the family");
});

test("two runs of the same relayer: no difference anywhere; lines below the minimum n give no verdict and stay out of m", (t) => {
  // 40 messages a stage: p50 and mean are judged, p99 is not (needs 368).
  const runs = comparisonOf(3, 40, 20, (preset, i) => uniformStage(10 * i + (preset === "A" ? 1 : 2), 40, 20, 400, 900));
  const { comparisons } = analyzeComparison(runs);
  for (const c of comparisons) t.log(`${c.metric}: ${c.verdict}`);
  t.deepEqual(
    comparisons.map((c) => c.outcome),
    ["no difference", "no difference", "no verdict", "no difference"],
  );
  const p99 = comparisons.find((c) => c.metric === "p99")!;
  t.is(p99.verdict, "no verdict: p99 needs ≥ 368 messages per run, stage has 40");
  t.is(p99.pHolm, undefined);
  t.true(comparisons.every((c) => c.family === 3));
  const p50 = comparisons.find((c) => c.metric === "p50")!;
  t.is(p50.ciLevel, 1 - ALPHA / 3);
  t.regex(p50.verdict, /^no significant difference: B − A = -?\d+ ms, 98\.33 % CI \[-?\d+, -?\d+\] ms, not wholly beyond ±200 ms; /);
  t.regex(p50.verdict, /; Holm-adjusted p = [\d.]+$/);
});

test("comparison.csv and comparison-runs.csv: each d_i recomputable from the per-run rows", async (t) => {
  // B is 1 s slower than A in every run.
  const runs = comparisonOf(3, 40, 20, (preset, i) => {
    const shift = preset === "A" ? 0 : 1000;
    return uniformStage(7 * i + shift, 40, 20, 400 + shift, 900 + shift);
  });
  const { comparisons, statistics } = analyzeComparison(runs);
  const dir = mkdtempSync(join(tmpdir(), "compare-csv-"));
  await writeComparisonCsvs(dir, comparisons, statistics);
  const rows = parse(readFileSync(join(dir, "comparison.csv")), { columns: true }) as Array<Record<string, string>>;
  const perRun = parse(readFileSync(join(dir, "comparison-runs.csv")), { columns: true }) as Array<Record<string, string>>;
  t.deepEqual(Object.keys(perRun[0]!), ["preset", "relayer", "repeat", "run_folder", "stage", "metric", "value", "n", "censored", "drain_end_ms"]);
  t.is(perRun.length, 6 * 4);
  const mean = rows.find((r) => r.metric === "mean")!;
  t.like(mean, { stage: "0", unit: "ms", baseline: "A", other: "B", repeats: "3", messages_per_run: "40", floor: "200", verdicts_in_family: "3" });
  t.is(mean.outcome, "different");
  const value = (preset: string, repeat: number) => Number(perRun.find((r) => r.preset === preset && r.repeat === `${repeat}` && r.metric === "mean")!.value);
  const d = [1, 2, 3].map((i) => value("B", i) - value("A", i));
  const ci = pairedInterval(d, 3, 200);
  t.true(Math.abs(ci.mean - Number(mean.difference)) < 0.01);
  t.true(Math.abs(ci.low - Number(mean.ci_low)) < 0.01 && Math.abs(ci.high - Number(mean.ci_high)) < 0.01);
  t.regex(mean.verdict, /^B's mean delay is \d+ ms higher than A's: mean of 3 paired differences, 98\.33 % CI/);
});

test("smallest detectable difference (80 % power), in σ_d beyond the floor: the README's table", (t) => {
  const table = [3, 5, 10].map((n) => [1, 6, 14].map((m) => +detectableDifference(n, m).toFixed(2)));
  t.deepEqual(table, [
    [3.1, 6.9, 10.25],
    [1.66, 2.59, 3.17],
    [0.99, 1.34, 1.52],
  ]);
  t.is(+detectableDifference(5, 1).toFixed(6), +((tQuantile(0.975, 4) + tQuantile(0.8, 4)) / Math.sqrt(5)).toFixed(6));
});

test("--repeat: a whole number of at least 3; presets given twice are numbered", (t) => {
  for (const bad of [2, 0, 2.5, Number.NaN, -3]) t.regex(repeatProblem(bad) ?? "", /^must be a whole number of at least 3 .* e\.g\. --repeat 5$/);
  t.is(repeatProblem(3), undefined);
  t.deepEqual(presetLabels(["default", "serial"]), ["default", "serial"]);
  t.deepEqual(presetLabels(["default", "default", "serial"]), ["default #1", "default #2", "serial"]);
});

test("compare refuses a capacity search (its probes differ from run to run) and fewer than 3 repeats, before running anything", async (t) => {
  const presets = ["default", "serial"];
  await t.throwsAsync(compareRelayers(loadScenario("ramp-to-knee"), presets), { message: /compare needs fixed stages: "ramp-to-knee" is a capacity search/ });
  await t.throwsAsync(compareRelayers(loadScenario("smoke"), presets, { repeat: 2 }), { message: /^repeat 2: must be a whole number of at least 3/ });
});
