import { readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parse } from "csv-parse/sync";
import type { Scenario } from "./load/scenario.ts";
import { bridgeOf } from "./bridges/index.ts";
import { stageStarts } from "./measure/stages.ts";
import { percentile } from "./measure/histogram.ts";
import { tQuantile, tUpperTail } from "./measure/tdist.ts";
import { writeRecordsCsv } from "./report/csv.ts";
import { tryWriteHtmlReport } from "./report/html.ts";
import { MANIFEST } from "./report/manifest.ts";
import { createRunDir, runScenario, type RunOptions, type RunResult } from "./run.ts";

/** Family-wise error rate of one pair of presets' verdicts. */
export const ALPHA = 0.05;
/** Floor of the delivered share: a difference of less than one percentage point is not called one. */
export const SHARE_FLOOR = 0.01;
export const DEFAULT_REPEAT = 5;
/** Three pairs give the t interval two degrees of freedom; two would leave one (a Cauchy interval, useless at a Bonferroni level). */
export const MIN_REPEAT = 3;
export const COMPARISON_CSV = "comparison.csv";
export const COMPARISON_RUNS_CSV = "comparison-runs.csv";

/** Compared per stage, in this order: the delivered share first, then the delay, with drops counted against the relayer. */
export const METRICS = ["delivered_share", "p50", "p99", "mean"] as const;
export type Metric = (typeof METRICS)[number];
const QUANTILE: Partial<Record<Metric, number>> = { p50: 0.5, p99: 0.99 };
const METRIC_NAME: Record<Metric, string> = { delivered_share: "delivered share", p50: "p50 delay", p99: "p99 delay", mean: "mean delay" };

/**
 * Messages a run's stage needs for a verdict on the metric: for quantile q, the smallest n
 * whose sample holds a distribution-free 95 % interval for q, n ≥ ln 0.025 / ln max(q, 1 − q)
 * (368 for p99, 6 for p50); 2 for the mean; 1 for the delivered share.
 */
export function minMessages(metric: Metric): number {
  const q = QUANTILE[metric];
  if (q !== undefined) return Math.ceil(Math.log(0.025) / Math.log(Math.max(q, 1 - q)));
  return metric === "mean" ? 2 : 1;
}

/** A `--repeat` value's problem, or undefined when it is usable. */
export function repeatProblem(value: number): string | undefined {
  return Number.isInteger(value) && value >= MIN_REPEAT
    ? undefined
    : `must be a whole number of at least ${MIN_REPEAT} (pairs of interleaved runs; the paired t interval needs N − 1 ≥ 2 degrees of freedom), ` +
        `e.g. --repeat ${DEFAULT_REPEAT}`;
}

/** One stage of one run, as the comparison sees it. */
export interface StageSample {
  /** Messages of the stage in messages.csv (every scheduled message, sent or not). */
  offered: number;
  delivered: number;
  /** Every message's delay, ascending: delay_ms if delivered, else censored at the drain's end (drainEndMs − intended_at_ms). */
  delays: number[];
  /** The smallest censored delay, ms (undefined when every message was delivered). */
  censoredFromMs?: number;
}

export interface RunSamples {
  /** Where undelivered messages are censored, ms from the run's start: end of the last stage + drain, or the last delivery if later. */
  drainEndMs: number;
  stages: StageSample[];
  config: Scenario;
}

type Row = Record<string, string>;

/** A run folder's per-stage samples, from its manifest.json (stages, drain) and messages.csv alone. */
export function readRunSamples(runDir: string): RunSamples {
  const manifest = JSON.parse(readFileSync(join(runDir, MANIFEST), "utf8")) as { scenario?: { config?: Scenario } };
  const config = manifest.scenario?.config;
  if (!config?.stages || typeof config.drainS !== "number") {
    throw new Error(`${join(runDir, MANIFEST)}: no scenario config with stages and drainS; not a run folder of this bridge-stress`);
  }
  const starts = stageStarts(config);
  const stagesEnd = Math.max(0, ...config.stages.map((s, i) => starts[i]! + s.durationS * 1000));
  const rows = parse(readFileSync(join(runDir, "messages.csv")), { columns: true }) as Row[];
  let drainEndMs = stagesEnd + config.drainS * 1000;
  // A delivery seen in the drain's last poll may land after it: censoring there keeps every drop ranked at or above every delivery.
  for (const row of rows) if (row.status === "delivered") drainEndMs = Math.max(drainEndMs, Number(row.delivered_at_ms));
  const stages: StageSample[] = config.stages.map(() => ({ offered: 0, delivered: 0, delays: [] }));
  for (const row of rows) {
    const s = (stages[Number(row.stage)] ??= { offered: 0, delivered: 0, delays: [] });
    s.offered++;
    if (row.status === "delivered") {
      s.delivered++;
      s.delays.push(Number(row.delay_ms));
    } else {
      const censored = drainEndMs - Number(row.intended_at_ms);
      s.delays.push(censored);
      s.censoredFromMs = Math.min(s.censoredFromMs ?? Infinity, censored);
    }
  }
  for (const s of stages) s.delays.sort((a, b) => a - b);
  return { drainEndMs, stages, config };
}

/** One run's statistic of a stage: the delivered share, a nearest-rank percentile or the mean of the censored delays. */
export function runStatistic(s: StageSample | undefined, metric: Metric): number | undefined {
  if (!s?.offered) return undefined;
  if (metric === "delivered_share") return s.delivered / s.offered;
  if (metric === "mean") return s.delays.reduce((a, b) => a + b, 0) / s.delays.length;
  return percentile(s.delays, QUANTILE[metric]! * 100);
}

/** The longest block time of a scenario's chains (its bridge says which): the floor of a delay comparison. */
export function blockTimeMs(scenario: Scenario): number {
  return bridgeOf(scenario).blockTimeMs(scenario);
}

export interface PairedInterval {
  /** d̄, the mean of the pair differences. */
  mean: number;
  /** s_d, their sample standard deviation (N − 1 in the denominator). */
  sd: number;
  /** d̄ ± t(1 − α/(2m), N − 1) · s_d / √N; the point d̄ when s_d = 0. */
  low: number;
  high: number;
  /** 1 − α/m. */
  level: number;
  /** One-sided p of H0 "the difference is within the floor on d̄'s side": P(T_{N−1} > (|d̄| − floor) / (s_d/√N)); 0 or 1 when s_d = 0. */
  pOneSided: number;
  /** The whole interval lies above +floor or below −floor. */
  beyondFloor: boolean;
}

/** The paired Student-t interval of N pair differences at the Bonferroni level 1 − α/m, checked against ±floor. */
export function pairedInterval(d: number[], m: number, floor: number, alpha = ALPHA): PairedInterval {
  const n = d.length;
  if (n < 2) throw new Error(`a paired interval needs at least 2 pair differences, got ${n}`);
  if (!(m >= 1)) throw new Error(`a paired interval needs m ≥ 1 verdicts, got ${m}`);
  // Equal differences (a share that moved by exactly as much in every pair) have s_d = 0, without rounding noise.
  const same = d.every((x) => x === d[0]);
  const mean = same ? d[0]! : d.reduce((a, b) => a + b, 0) / n;
  const sd = same ? 0 : Math.sqrt(d.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  const se = sd / Math.sqrt(n);
  const half = se === 0 ? 0 : tQuantile(1 - alpha / (2 * m), n - 1) * se;
  const low = mean - half;
  const high = mean + half;
  const excess = Math.abs(mean) - floor;
  const pOneSided = se === 0 ? (excess > 0 ? 0 : 1) : tUpperTail(excess / se, n - 1);
  return { mean, sd, low, high, level: 1 - alpha / m, pOneSided, beyondFloor: low > floor || high < -floor };
}

/**
 * Holm's step-down adjustment, in the order given: with the m p-values ascending,
 * p̃(j) = max over i ≤ j of min(1, (m − i + 1) · p(i)). A hypothesis is rejected at family level a iff p̃ ≤ a.
 */
export function holm(p: number[]): number[] {
  const order = p.map((_, i) => i).sort((a, b) => p[a]! - p[b]!);
  const adjusted = new Array<number>(p.length);
  let running = 0;
  order.forEach((index, j) => {
    running = Math.max(running, Math.min(1, (p.length - j) * p[index]!));
    adjusted[index] = running;
  });
  return adjusted;
}

/**
 * The smallest true difference, in units of σ_d (the sd of the pair differences) beyond the floor,
 * that N pairs detect with the given power at m verdicts: (t(1 − α/(2m), N − 1) + t(power, N − 1)) / √N
 * (the usual normal-shift approximation of the noncentral t, with t quantiles in place of z).
 */
export function detectableDifference(repeats: number, m: number, power = 0.8, alpha = ALPHA): number {
  return (tQuantile(1 - alpha / (2 * m), repeats - 1) + tQuantile(power, repeats - 1)) / Math.sqrt(repeats);
}

/** One run of a comparison: which preset, which repeat, its folder. */
export interface ComparedRun {
  /** The preset's label (its name; "name #k" when the same preset is given more than once). */
  preset: string;
  relayer: string;
  repeat: number;
  dir: string;
}

/** A per-run statistic: one row of comparison-runs.csv. */
export interface RunStatistic {
  preset: string;
  relayer: string;
  repeat: number;
  runFolder: string;
  stage: number;
  metric: Metric;
  value: number | undefined;
  /** Messages of the stage in this run (all in the sample). */
  n: number;
  /** Of them, undelivered and censored at the drain's end. */
  censored: number;
  drainEndMs: number;
}

export type Outcome = "different" | "no difference" | "no verdict";

/** One verdict line: a stage and metric of one preset against the baseline. */
export interface Comparison {
  stage: number;
  metric: Metric;
  /** "ms" for delays; "share" (0–1) for the delivered share. */
  unit: "ms" | "share";
  baseline: string;
  other: string;
  /** Pairs of runs (A_i, B_i) compared. */
  repeats: number;
  /** The fewest messages of this stage in any run of either preset. */
  messagesPerRun: number;
  /** Mean over the repeats of the per-run statistic. */
  baselineMean: number | undefined;
  otherMean: number | undefined;
  /** d̄: mean over the pairs of other − baseline. */
  difference: number | undefined;
  sdDifference: number | undefined;
  ciLow: number | undefined;
  ciHigh: number | undefined;
  /** 1 − α/m (undefined without a verdict). */
  ciLevel: number | undefined;
  floor: number;
  /** m: the verdicts made for this pair of presets (lines with enough messages). */
  family: number;
  pOneSided: number | undefined;
  pHolm: number | undefined;
  /** Undelivered messages of this stage over all the preset's runs, and the messages in all of them. */
  baselineDropped: number;
  otherDropped: number;
  offered: { baseline: number; other: number };
  outcome: Outcome;
  verdict: string;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** A metric's amount in words: ms for delays, percentage points for the share. */
function amount(metric: Metric, v: number): string {
  return metric === "delivered_share" ? `${(v * 100).toFixed(1)} percentage points` : `${v.toFixed(0)} ms`;
}
function interval(metric: Metric, low: number, high: number): string {
  if (metric === "delivered_share") return `[${(low * 100).toFixed(1)}, ${(high * 100).toFixed(1)}] percentage points`;
  return `[${low.toFixed(0)}, ${high.toFixed(0)}] ms`;
}
const pText = (p: number) => (p < 1e-4 ? "< 0.0001" : `= ${+p.toPrecision(2)}`);
const levelText = (level: number) => `${+(level * 100).toFixed(2)} %`;

/**
 * Compares every preset's runs with the first preset's (the baseline), pair by pair (A_i, B_i)
 * of the same repeat i, stage by stage, for each metric (see the README, "Comparing relayers").
 * Reads only the run folders (manifest.json and messages.csv), so it can be recomputed.
 */
export function analyzeComparison(runs: ComparedRun[], alpha = ALPHA): { comparisons: Comparison[]; statistics: RunStatistic[] } {
  if (!runs.length) throw new Error("a comparison needs runs");
  const samples = new Map(runs.map((r) => [r, readRunSamples(r.dir)]));
  const delayFloor = blockTimeMs(samples.get(runs[0]!)!.config);
  const floorOf = (metric: Metric) => (metric === "delivered_share" ? SHARE_FLOOR : delayFloor);
  const presets = [...new Set(runs.map((r) => r.preset))];
  const stageCount = Math.max(...[...samples.values()].map((s) => s.stages.length));

  const statistics: RunStatistic[] = runs.flatMap((run) => {
    const { stages, drainEndMs } = samples.get(run)!;
    return Array.from({ length: stageCount }, (_, stage) =>
      METRICS.map((metric) => {
        const s = stages[stage];
        return {
          ...run,
          runFolder: basename(run.dir),
          stage,
          metric,
          value: runStatistic(s, metric),
          n: s?.offered ?? 0,
          censored: s ? s.offered - s.delivered : 0,
          drainEndMs,
        };
      }),
    ).flat();
  });
  const sampleOf = (s: RunStatistic) => samples.get(runs.find((r) => r.preset === s.preset && r.repeat === s.repeat)!)!;
  const statOf = (preset: string, repeat: number, stage: number, metric: Metric) =>
    statistics.find((s) => s.preset === preset && s.repeat === repeat && s.stage === stage && s.metric === metric);

  const comparisons: Comparison[] = [];
  const baseline = presets[0]!;
  for (const other of presets.slice(1)) {
    const repeatsOf = (preset: string) => new Set(runs.filter((r) => r.preset === preset).map((r) => r.repeat));
    const repeats = [...repeatsOf(baseline)].filter((i) => repeatsOf(other).has(i));
    const lines = Array.from({ length: stageCount }, (_, stage) =>
      METRICS.map((metric) => {
        const pairs = repeats.map((i) => [statOf(baseline, i, stage, metric)!, statOf(other, i, stage, metric)!] as const);
        const a = pairs.map(([x]) => x.value);
        const b = pairs.map(([, y]) => y.value);
        const n = pairs.length ? Math.min(...pairs.flatMap(([x, y]) => [x.n, y.n])) : 0;
        const sum = (side: 0 | 1, key: "censored" | "n") => pairs.reduce((acc, p) => acc + p[side][key], 0);
        const complete = a.every((v) => v !== undefined) && b.every((v) => v !== undefined);
        const need = minMessages(metric);
        const noVerdict =
          pairs.length < 2
            ? `no verdict: ${pairs.length} pair${pairs.length === 1 ? "" : "s"} of runs; the paired interval needs at least 2`
            : n < need
              ? `no verdict: ${metric === "delivered_share" ? "the delivered share" : metric} needs ≥ ${need} messages per run, stage has ${n}`
              : !complete
                ? "no verdict: a run has no messages in this stage"
                : undefined;
        return {
          stage,
          metric,
          a: a as number[],
          b: b as number[],
          n,
          noVerdict,
          dropped: { baseline: sum(0, "censored"), other: sum(1, "censored") },
          offered: { baseline: sum(0, "n"), other: sum(1, "n") },
          censoredFrom: (side: 0 | 1) => Math.min(...pairs.map((p) => sampleOf(p[side]).stages[stage]?.censoredFromMs ?? Infinity)),
          pairs: pairs.length,
        };
      }),
    ).flat();
    const judged = lines.filter((l) => !l.noVerdict);
    const m = judged.length;
    const intervals = new Map(
      judged.map((l) => [
        l,
        pairedInterval(
          l.b.map((v, i) => v - l.a[i]!),
          m,
          floorOf(l.metric),
          alpha,
        ),
      ]),
    );
    const adjusted = holm(judged.map((l) => intervals.get(l)!.pOneSided));
    const pHolmOf = new Map(judged.map((l, i) => [l, adjusted[i]!]));
    for (const l of lines) {
      const floor = floorOf(l.metric);
      const ci = intervals.get(l);
      const pHolm = pHolmOf.get(l);
      const drops = l.metric === "delivered_share" ? "" : dropNote(baseline, other, l.dropped, l.offered, l.pairs, l.censoredFrom);
      let outcome: Outcome = "no verdict";
      let verdict = l.noVerdict!;
      if (ci && pHolm !== undefined) {
        // With these levels the interval condition implies Holm's (README); both are checked.
        outcome = ci.beyondFloor && pHolm <= alpha / 2 ? "different" : "no difference";
        const range = `${levelText(ci.level)} CI ${interval(l.metric, ci.low, ci.high)}`;
        verdict =
          outcome === "different"
            ? `${other}'s ${METRIC_NAME[l.metric]} is ${amount(l.metric, Math.abs(ci.mean))} ${ci.mean > 0 ? "higher" : "lower"} than ${baseline}'s: ` +
              `mean of ${l.pairs} paired differences, ${range}, wholly beyond the ±${amount(l.metric, floor)} floor; Holm-adjusted p ${pText(pHolm)}${drops}`
            : `no significant difference: ${other} − ${baseline} = ${amount(l.metric, ci.mean)}, ${range}, not wholly beyond ±${amount(l.metric, floor)}; ` +
              `Holm-adjusted p ${pText(pHolm)}${drops}`;
      }
      comparisons.push({
        stage: l.stage,
        metric: l.metric,
        unit: l.metric === "delivered_share" ? "share" : "ms",
        baseline,
        other,
        repeats: l.pairs,
        messagesPerRun: l.n,
        baselineMean: l.a.every((v) => v !== undefined) && l.a.length ? mean(l.a) : undefined,
        otherMean: l.b.every((v) => v !== undefined) && l.b.length ? mean(l.b) : undefined,
        difference: ci?.mean,
        sdDifference: ci?.sd,
        ciLow: ci?.low,
        ciHigh: ci?.high,
        ciLevel: ci?.level,
        floor,
        family: m,
        pOneSided: ci?.pOneSided,
        pHolm,
        baselineDropped: l.dropped.baseline,
        otherDropped: l.dropped.other,
        offered: l.offered,
        outcome,
        verdict,
      });
    }
  }
  return { comparisons, statistics };
}

/** What a delay line says about the drops in its samples: who dropped how many, counted as at least which delay. */
function dropNote(
  baseline: string,
  other: string,
  dropped: { baseline: number; other: number },
  offered: { baseline: number; other: number },
  pairs: number,
  censoredFrom: (side: 0 | 1) => number,
): string {
  const parts: string[] = [];
  if (dropped.baseline) parts.push(`${baseline} dropped ${dropped.baseline} of ${offered.baseline}`);
  if (dropped.other) parts.push(`${other} dropped ${dropped.other} of ${offered.other}`);
  if (!parts.length) return "";
  const least = Math.min(dropped.baseline ? censoredFrom(0) : Infinity, dropped.other ? censoredFrom(1) : Infinity);
  return ` (${parts.join(", ")} over ${pairs} runs each; drops counted as delays ≥ ${(least / 1000).toFixed(1)} s, the drain's end)`;
}

export interface CompareOptions extends Omit<RunOptions, "outDir" | "runId"> {
  outDir?: string;
  /** Interleaved pairs of runs. [5] */
  repeat?: number;
}

export interface CompareResult {
  dir: string;
  runs: Array<ComparedRun & { result: RunResult }>;
  comparisons: Comparison[];
  statistics: RunStatistic[];
  /** The comparison's report.html (relayers overlaid), or why it could not be built. */
  html: { path: string } | { error: string };
}

/** Labels of the presets: their names, numbered ("default #2") when one is given more than once. */
export function presetLabels(relayers: string[]): string[] {
  const count = (names: string[], name: string) => names.filter((x) => x === name).length;
  return relayers.map((name, i) => (count(relayers, name) > 1 ? `${name} #${count(relayers.slice(0, i + 1), name)}` : name));
}

/**
 * Runs the same seeded scenario `repeat` times per relayer preset (reference-relayer presets;
 * rly presets on the ibc bridge), interleaved: for i = 1..N, one run of each preset in the
 * order given. Then compares each preset with the first (analyzeComparison) and writes
 * comparison.csv, comparison-runs.csv and the comparison's report.html.
 */
export async function compareRelayers(scenario: Scenario, relayers: string[], options: CompareOptions = {}): Promise<CompareResult> {
  if (relayers.length < 2) throw new Error(`compare needs at least two relayer presets (--relayer a --relayer b); got ${relayers.length}`);
  if (scenario.search) {
    const why = 'whose probes differ from run to run; give it "stages" instead of "search"';
    throw new Error(`compare needs fixed stages: "${scenario.name}" is a capacity search, ${why}`);
  }
  const repeat = options.repeat ?? DEFAULT_REPEAT;
  const problem = repeatProblem(repeat);
  if (problem) throw new Error(`repeat ${repeat}: ${problem}`);
  const id = `${new Date().toISOString().replace(/[:.]/g, "-")}-compare-${scenario.name}-seed${scenario.seed}`;
  // A folder of its own, as a run's: a second comparison started the same millisecond gets "-2".
  const dir = createRunDir(resolve(options.outDir ?? "reports"), id);
  const labels = presetLabels(relayers);
  const width = String(repeat).length;
  const runs: CompareResult["runs"] = [];
  for (let i = 1; i <= repeat; i++) {
    for (const [k, relayer] of relayers.entries()) {
      options.onProgress?.(`compare: repeat ${i} of ${repeat}, relayer preset "${relayer}" (run ${runs.length + 1} of ${repeat * relayers.length})`);
      const variant = bridgeOf(scenario).withRelayer(scenario, relayer);
      // Folder names sort in run order: repeat, then the preset's position (A, B, …).
      const runId = `repeat${String(i).padStart(width, "0")}-${String.fromCharCode(65 + k)}-${relayer.replace(/[^A-Za-z0-9._-]/g, "_")}`;
      const result = await runScenario(variant, { ...options, outDir: dir, runId });
      runs.push({ preset: labels[k]!, relayer, repeat: i, dir: result.runDir, result });
    }
  }
  const { comparisons, statistics } = analyzeComparison(runs);
  await writeComparisonCsvs(dir, comparisons, statistics);
  return { dir, runs, comparisons, statistics, html: await tryWriteHtmlReport(dir) };
}

const num = (v: number | undefined, digits: number) => (v === undefined || !Number.isFinite(v) ? "" : String(+v.toFixed(digits)));

export async function writeComparisonCsvs(dir: string, comparisons: Comparison[], statistics: RunStatistic[]): Promise<void> {
  const digits = (unit: Comparison["unit"]) => (unit === "share" ? 6 : 3);
  await writeRecordsCsv(
    join(dir, COMPARISON_CSV),
    comparisons.map((c) => ({
      stage: c.stage,
      metric: c.metric,
      unit: c.unit,
      baseline: c.baseline,
      other: c.other,
      repeats: c.repeats,
      messages_per_run: c.messagesPerRun,
      baseline_mean: num(c.baselineMean, digits(c.unit)),
      other_mean: num(c.otherMean, digits(c.unit)),
      difference: num(c.difference, digits(c.unit)),
      sd_difference: num(c.sdDifference, digits(c.unit)),
      ci_low: num(c.ciLow, digits(c.unit)),
      ci_high: num(c.ciHigh, digits(c.unit)),
      ci_level: num(c.ciLevel, 6),
      floor: c.floor,
      verdicts_in_family: c.family,
      p_one_sided: c.pOneSided === undefined ? "" : c.pOneSided.toPrecision(4),
      p_holm: c.pHolm === undefined ? "" : c.pHolm.toPrecision(4),
      baseline_dropped: c.baselineDropped,
      other_dropped: c.otherDropped,
      outcome: c.outcome,
      verdict: c.verdict,
    })),
  );
  await writeRecordsCsv(
    join(dir, COMPARISON_RUNS_CSV),
    statistics.map((s) => ({
      preset: s.preset,
      relayer: s.relayer,
      repeat: s.repeat,
      run_folder: s.runFolder,
      stage: s.stage,
      metric: s.metric,
      value: num(s.value, s.metric === "delivered_share" ? 6 : 3),
      n: s.n,
      censored: s.censored,
      drain_end_ms: num(s.drainEndMs, 1),
    })),
  );
}
