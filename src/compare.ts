import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "csv-parse/sync";
import type { Scenario } from "./load/scenario.ts";
import { chainProfile } from "../chains/profiles.ts";
import { seededRandom } from "./load/schedule.ts";
import { percentile } from "./measure/stats.ts";
import { writeRecordsCsv } from "./report/csv.ts";
import { tryWriteHtmlReport } from "./report/html.ts";
import { runScenario, type RunOptions, type RunResult } from "./run.ts";

/** Metrics compared per stage, over the delays (ms from the intended send) of delivered messages. */
const METRICS = {
  p50: (d: number[]) => percentile(d, 50),
  p99: (d: number[]) => percentile(d, 99),
  mean: (d: number[]) => (d.length ? d.reduce((a, b) => a + b, 0) / d.length : undefined),
} as const;
type Metric = keyof typeof METRICS;

/** Bootstrap resamples per comparison. */
const RESAMPLES = 2000;

export interface Comparison {
  stage: number;
  metric: Metric;
  baseline: string;
  other: string;
  baselineValue: number | undefined;
  otherValue: number | undefined;
  /** other − baseline, ms. */
  difference: number | undefined;
  /** 95 % bootstrap confidence interval of the difference. */
  ciLow: number | undefined;
  ciHigh: number | undefined;
  verdict: string;
}

export interface CompareResult {
  dir: string;
  runs: Array<{ relayer: string; result: RunResult }>;
  comparisons: Comparison[];
  /** The comparison's report.html (relayers overlaid), or why it could not be built. */
  html: { path: string } | { error: string };
}

/**
 * Runs the same seeded scenario once per relayer preset (reference relayer presets; rly
 * presets on the ibc bridge), then compares each against the first, stage by stage: the
 * difference of p50, p99 and mean delay with a 95 % percentile-bootstrap confidence
 * interval (resampling each run's delivered messages of the stage). A difference whose
 * interval excludes 0 and that is at least one block time (the comparison's resolution) is
 * reported as significant; otherwise "no significant difference".
 */
export async function compareRelayers(scenario: Scenario, relayers: string[], options: Omit<RunOptions, "outDir"> & { outDir?: string } = {}): Promise<CompareResult> {
  if (relayers.length < 2) throw new Error(`compare needs at least two relayer presets (--relayer a --relayer b); got ${relayers.length}`);
  const id = `${new Date().toISOString().replace(/[:.]/g, "-")}-compare-${scenario.name}-seed${scenario.seed}`;
  const dir = resolve(options.outDir ?? "reports", id);
  mkdirSync(dir, { recursive: true });
  const runs: CompareResult["runs"] = [];
  for (const relayer of relayers) {
    options.onProgress?.(`compare: running "${scenario.name}" with relayer preset "${relayer}"`);
    const variant: Scenario = scenario.bridge === "ibc" ? { ...scenario, ibc: { ...scenario.ibc, relayer } } : { ...scenario, relayer };
    runs.push({ relayer, result: await runScenario(variant, { ...options, outDir: dir }) });
  }
  const delays = runs.map(({ result }) => delaysByStage(result.runDir));
  const stages = Math.max(...delays.map((d) => d.length));
  const comparisons: Comparison[] = [];
  for (let k = 1; k < runs.length; k++) {
    for (let stage = 0; stage < stages; stage++) {
      for (const metric of Object.keys(METRICS) as Metric[]) {
        comparisons.push(compare(stage, metric, runs[0]!.relayer, runs[k]!.relayer, delays[0]![stage] ?? [], delays[k]![stage] ?? [], scenario.seed + stage, blockTimeMs(scenario)));
      }
    }
  }
  await writeRecordsCsv(
    join(dir, "comparison.csv"),
    comparisons.map((c) => ({
      stage: c.stage,
      metric: c.metric,
      baseline: c.baseline,
      other: c.other,
      baseline_ms: fixed(c.baselineValue),
      other_ms: fixed(c.otherValue),
      difference_ms: fixed(c.difference),
      ci95_low_ms: fixed(c.ciLow),
      ci95_high_ms: fixed(c.ciHigh),
      verdict: c.verdict,
    })),
  );
  return { dir, runs, comparisons, html: await tryWriteHtmlReport(dir) };
}

/** The longest block time of the scenario's chains: the resolution of a delay comparison. */
function blockTimeMs(scenario: Scenario): number {
  if (scenario.bridge !== "wormhole") return scenario.cosmos.blockTimeMs;
  const names = new Set(scenario.routes.flatMap((r) => [r.from, ...r.to]));
  return Math.max(...[...names].map((name) => scenario.chains[name]?.blockTimeMs ?? chainProfile(name).blockTimeMs));
}

/** Delays (ms from the intended send) of each stage's delivered messages, from a run's messages.csv. */
function delaysByStage(runDir: string): number[][] {
  const rows = parse(readFileSync(join(runDir, "messages.csv")), { columns: true }) as Array<Record<string, string>>;
  const out: number[][] = [];
  for (const row of rows) {
    if (row.status !== "delivered") continue;
    const stage = Number(row.stage);
    (out[stage] ??= []).push(Number(row.delay_ms));
  }
  return out.map((d) => (d ?? []).sort((a, b) => a - b));
}

/** Percentile bootstrap of metric(other) − metric(baseline), seeded so a comparison is repeatable. */
export function compare(stage: number, metric: Metric, baseline: string, other: string, a: number[], b: number[], seed: number, resolutionMs = 0): Comparison {
  const f = METRICS[metric];
  const base = { stage, metric, baseline, other, baselineValue: f(a), otherValue: f(b) };
  if (a.length < 2 || b.length < 2) {
    return { ...base, difference: undefined, ciLow: undefined, ciHigh: undefined, verdict: "too few deliveries to compare" };
  }
  const random = seededRandom(seed);
  const resample = (values: number[]) => Array.from({ length: values.length }, () => values[Math.floor(random() * values.length)]!).sort((x, y) => x - y);
  const diffs: number[] = [];
  for (let i = 0; i < RESAMPLES; i++) diffs.push(f(resample(b))! - f(resample(a))!);
  diffs.sort((x, y) => x - y);
  const difference = base.otherValue! - base.baselineValue!;
  const ciLow = percentile(diffs, 2.5)!;
  const ciHigh = percentile(diffs, 97.5)!;
  const range = `95 % CI [${ciLow.toFixed(0)}, ${ciHigh.toFixed(0)}] ms`;
  // Within one block time a difference can come from where each run's blocks fell relative
  // to its schedule (a between-run effect the bootstrap does not see): not called a difference.
  const resolved = Math.abs(difference) >= resolutionMs;
  const verdict =
    ciLow > 0 && resolved
      ? `${other}'s ${metric} is ${difference.toFixed(0)} ms higher than ${baseline}'s, ${range}`
      : ciHigh < 0 && resolved
        ? `${other}'s ${metric} is ${(-difference).toFixed(0)} ms lower than ${baseline}'s, ${range}`
        : `no significant difference (${other} − ${baseline} = ${difference.toFixed(0)} ms, ${range}${resolved || (ciLow <= 0 && ciHigh >= 0) ? "" : `; under one block time, ${resolutionMs} ms`})`;
  return { ...base, difference, ciLow, ciHigh, verdict };
}

const fixed = (v: number | undefined) => (v === undefined ? "" : v.toFixed(1));
