import { basename } from "node:path";
import { percentile } from "./histogram.ts";
import { ALPHA, holm, pairedInterval } from "./paired.ts";

// The statistics of a relayer comparison (README, "Comparing relayers"), from each run's per-stage
// samples: one statistic per run and stage, paired intervals against ±floor, Holm's step-down.
// The runs themselves and reading their folders are src/compare.ts's.

/** Floor of the delivered share: a difference of less than one percentage point is not called one. */
export const SHARE_FLOOR = 0.01;

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
}

/** One run's statistic of a stage: the delivered share, a nearest-rank percentile or the mean of the censored delays. */
export function runStatistic(s: StageSample | undefined, metric: Metric): number | undefined {
  if (!s?.offered) return undefined;
  if (metric === "delivered_share") return s.delivered / s.offered;
  if (metric === "mean") return s.delays.reduce((a, b) => a + b, 0) / s.delays.length;
  return percentile(s.delays, QUANTILE[metric]! * 100);
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
 * `samples`: each run's, as readRunSamples reads them from its folder. `delayFloorMs`: the floor of
 * a delay difference, the longest block time of the chains the messages touch (its bridge's).
 */
export function compareSamples(
  runs: ComparedRun[],
  samples: Map<ComparedRun, RunSamples>,
  delayFloorMs: number,
  alpha = ALPHA,
): { comparisons: Comparison[]; statistics: RunStatistic[] } {
  if (!runs.length) throw new Error("a comparison needs runs");
  const floorOf = (metric: Metric) => (metric === "delivered_share" ? SHARE_FLOOR : delayFloorMs);
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
