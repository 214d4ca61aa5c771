import type { StageSummary } from "./stats.ts";

/**
 * When a stage counts as sustainable (README, Capacity criteria). Criteria, in this order:
 * - `delivered<98%`: fewer than 98 % of the stage's own messages were delivered when it was
 *   judged (a message still unfinished then counts as undelivered);
 * - `backlog-growing`: the delay of the stage's messages grew with their intended send time:
 *   the lower end of the fitted slope's ~95 % interval (slope − 2 standard errors, in ms of
 *   delay per ms of schedule) exceeds max(2 %, 1 msg/s ÷ the offered rate). A path that
 *   delivers at μ < the offered λ delays a message intended at t by about (λ/μ − 1)·t more;
 * - `drops`: a message of the stage was dropped for any reason but `not-sent`;
 * - `deadlines-missed`: more than 1 % (`slo.maxLateShare`) of the stage's liquidation triggers
 *   were delivered late, dropped, or still unfinished when it was judged;
 * - `p99>slo`: the stage's p99 delay exceeded the scenario's SLO (when one is set);
 * - `desync`: the p99 observation skew (first to last guardian seeing a message) exceeded the
 *   scenario's bound (when one is set), or the height skew exceeded its bound (a Cosmos
 *   localnet's validators' heights; Wormhole's guardians' heartbeat heads);
 * - `harness-limited`: a message of the stage was never sent (`not-sent`: the harness's own
 *   maxInFlightSends cap was full), so the stage did not offer its rate.
 */
export interface CapacityCriteria {
  minDeliveredRatio: number;
  /** Backlog growth allowed, as a share of the offered rate (at least 1 msg/s of it). */
  maxBacklogGrowth: number;
  /** Share of a stage's liquidation triggers allowed to miss their deadline (late or dropped). */
  maxLateShare: number;
  sloP99Ms?: number;
  /** Bound on the p99 observation skew, ms. */
  desyncMs?: number;
  /** Bound on the height skew, blocks: the validators' heights (Cosmos), the guardians' heartbeat heads (Wormhole). */
  maxHeightSkew?: number;
}

export const DEFAULT_CRITERIA: CapacityCriteria = { minDeliveredRatio: 0.98, maxBacklogGrowth: 0.02, maxLateShare: 0.01 };

/** What a stage's result can say: the bridge's capacity, or not (a fault overlapped it, or the harness could not offer its rate). */
export type JudgedAs = "capacity" | "under-fault" | "harness-limited";

/** The figures a stage was judged on, as they stood when it was judged. */
export interface JudgedFigures {
  offered: number;
  delivered: number;
  /** Neither delivered nor dropped yet when judged (a probe whose cooldown ran out; an interrupted run). */
  unfinished: number;
  /** Dropped for a reason other than `not-sent`. */
  dropped: number;
  notSent: number;
  /** Slope of delay on intended send time (ms/ms) and the lower end of its ~95 % interval. */
  delaySlope: number | undefined;
  delaySlopeLow: number | undefined;
  /** The backlog-growing criterion's bound on delaySlopeLow: max(maxBacklogGrowth, 1 ÷ offered rate). */
  backlogAllowance: number;
  liquidationOffered: number;
  /** Liquidation triggers late, dropped or unfinished. */
  liquidationMissed: number;
  p99Ms: number | undefined;
  observationSkewP99Ms: number | undefined;
  heightSkewMax: number | undefined;
}

/** One stage's verdict, made once: a capacity-search probe when it is decided, any other stage when the report is written. */
export interface StageJudgement {
  stage: number;
  offeredRate: number;
  judgedAs: JudgedAs;
  /** When it was judged, ms on the run clock. */
  judgedAtMs: number;
  /** The criteria it failed, in the order above (empty: sustainable). */
  failed: string[];
  /** Labels of the faults whose window overlapped the stage's (`;`-separated; empty: none). */
  faults: string;
  figures: JudgedFigures;
}

/** The figures the criteria read, from a stage's summary as it stands now. */
export function judgedFigures(s: StageSummary, criteria: CapacityCriteria = DEFAULT_CRITERIA): JudgedFigures {
  const fit = s.delayTrend.fit();
  const liq = s.liquidation;
  return {
    offered: s.offered,
    delivered: s.delivered,
    unfinished: Math.max(0, s.offered - s.delivered - s.dropped),
    dropped: s.dropped - s.notSent,
    notSent: s.notSent,
    delaySlope: fit?.slope,
    delaySlopeLow: fit ? fit.slope - 2 * fit.stdErr : undefined,
    backlogAllowance: Math.max(criteria.maxBacklogGrowth, s.offeredRate > 0 ? 1 / s.offeredRate : 0),
    liquidationOffered: liq.offered,
    liquidationMissed: liq.late + liq.dropped + Math.max(0, liq.offered - liq.delivered - liq.dropped),
    p99Ms: s.delay.percentile(99),
    observationSkewP99Ms: s.observationSkew.percentile(99),
    heightSkewMax: s.heightSkewMax,
  };
}

/** The criteria `f` fails, in the documented order. */
export function criteriaFailed(f: JudgedFigures, criteria: CapacityCriteria = DEFAULT_CRITERIA): string[] {
  const failed: string[] = [];
  if (f.offered > 0 && f.delivered < criteria.minDeliveredRatio * f.offered) failed.push(`delivered<${Math.round(criteria.minDeliveredRatio * 100)}%`);
  if (f.delaySlopeLow !== undefined && f.delaySlopeLow > f.backlogAllowance) failed.push("backlog-growing");
  if (f.dropped > 0) failed.push("drops");
  if (f.liquidationOffered > 0 && f.liquidationMissed > criteria.maxLateShare * f.liquidationOffered) failed.push("deadlines-missed");
  if (criteria.sloP99Ms !== undefined && f.p99Ms !== undefined && f.p99Ms > criteria.sloP99Ms) failed.push("p99>slo");
  const desync =
    (criteria.desyncMs !== undefined && f.observationSkewP99Ms !== undefined && f.observationSkewP99Ms > criteria.desyncMs) ||
    (criteria.maxHeightSkew !== undefined && f.heightSkewMax !== undefined && f.heightSkewMax > criteria.maxHeightSkew);
  if (desync) failed.push("desync");
  if (f.notSent > 0) failed.push("harness-limited");
  return failed;
}

export function failedCriteria(s: StageSummary, criteria: CapacityCriteria = DEFAULT_CRITERIA): string[] {
  return criteriaFailed(judgedFigures(s, criteria), criteria);
}

/**
 * Judges a stage now. A stage a fault overlapped is `under-fault` (its failure is the
 * fault's effect), else one with `not-sent` messages `harness-limited`; either is left out
 * of the capacity. Its failed criteria are listed all the same.
 */
export function judgeStage(
  s: StageSummary,
  criteria: CapacityCriteria = DEFAULT_CRITERIA,
  at: { faults?: string; atMs: number } = { atMs: 0 },
): StageJudgement {
  const figures = judgedFigures(s, criteria);
  const faults = at.faults ?? "";
  return {
    stage: s.stage,
    offeredRate: s.offeredRate,
    judgedAs: faults ? "under-fault" : figures.notSent > 0 ? "harness-limited" : "capacity",
    judgedAtMs: at.atMs,
    failed: criteriaFailed(figures, criteria),
    faults,
    figures,
  };
}

export interface CapacityVerdict {
  /** Highest offered rate of a capacity stage sustained below the first failing one (undefined if none). */
  capacity: number | undefined;
  /** Offered rate of the lowest failing capacity stage (undefined if none failed: capacity is at least the highest rate tried). */
  failureThreshold: number | undefined;
  /**
   * `exact`: a failing stage bounds the capacity from above (it lies between capacity and
   * failureThreshold); `lower`: nothing failed, the capacity is at least the highest rate
   * sustained; `upper`: nothing was sustained, the capacity is below failureThreshold;
   * undefined: no stage was judged as capacity.
   */
  bound: "exact" | "lower" | "upper" | undefined;
  /** Criteria the first failing stage broke. */
  failed: string[];
  /** Offered rate at the knee of p99 delay against offered rate, over capacity stages (undefined with < 3 stages). */
  knee: number | undefined;
  /** Stages left out of the capacity, with why. */
  leftOut: Array<{ stage: number; judgedAs: Exclude<JudgedAs, "capacity"> }>;
}

/**
 * Reads capacity off the stages judged as capacity: the failure threshold is the lowest
 * offered rate that failed, the capacity the highest rate that passed below it. For a rising
 * ramp that is the last stage before the first failure; it also reads a capacity search's
 * bisection probes. `judgements` default to judging every stage now, with no faults.
 */
export function capacityVerdict(stages: StageSummary[], judgements: StageJudgement[] = stages.map((s) => judgeStage(s))): CapacityVerdict {
  const judged = judgements.filter((j) => j.judgedAs === "capacity").sort((a, b) => a.offeredRate - b.offeredRate);
  const firstFail = judged.find((j) => j.failed.length > 0);
  const passing = judged.filter((j) => j.failed.length === 0 && (!firstFail || j.offeredRate < firstFail.offeredRate));
  const capacity = passing.at(-1)?.offeredRate;
  const counted = new Set(judged.map((j) => j.stage));
  return {
    capacity,
    failureThreshold: firstFail?.offeredRate,
    bound: capacity !== undefined ? (firstFail ? "exact" : "lower") : firstFail ? "upper" : undefined,
    failed: firstFail?.failed ?? [],
    knee: knee(stages.filter((s) => counted.has(s.stage))),
    leftOut: judgements.flatMap((j) => (j.judgedAs === "capacity" ? [] : [{ stage: j.stage, judgedAs: j.judgedAs }])),
  };
}

/** "2 stages left out of the capacity (stage 1 under fault; stage 3 harness-limited: not-sent messages)", or "". */
export function leftOutText(leftOut: CapacityVerdict["leftOut"]): string {
  if (!leftOut.length) return "";
  const why = leftOut.map((l) => `stage ${l.stage} ${l.judgedAs === "under-fault" ? "under fault" : "harness-limited (not-sent messages)"}`);
  return `${leftOut.length} stage${leftOut.length === 1 ? "" : "s"} left out of the capacity: ${why.join("; ")}`;
}

/** The capacity sentence the CLI prints: the number, what bounds it, and the stages left out of it. */
export function capacityLine(v: CapacityVerdict): string {
  const capacity =
    v.bound === undefined
      ? "throughput capacity not measured (no stage was judged as capacity)"
      : v.bound === "lower"
        ? `throughput capacity ≥ ${v.capacity} msgs/s (no stage failed: a lower bound)`
        : v.bound === "upper"
          ? `throughput capacity below ${v.failureThreshold} msgs/s (the lowest rate tried failed: ${v.failed.join(", ")})`
          : `throughput capacity ${v.capacity} msgs/s; failure threshold ${v.failureThreshold} msgs/s (${v.failed.join(", ")})`;
  const leftOut = leftOutText(v.leftOut);
  return leftOut ? `${capacity}; ${leftOut}` : capacity;
}

/**
 * How much p99 must rise past the knee's, as a share of it, for the knee to count:
 * normalising stretches any curve to [0, 1], and without this a flat p99 (767 → 787 ms, the
 * scatter of 1 s blocks) showed a "knee" that was only noise.
 */
export const KNEE_MIN_RISE = 0.25;

/**
 * Knee of p99 against offered rate (Kneedle): normalise both axes to [0, 1] and take the
 * point farthest below the diagonal, where the curve turns from flat to steep. None when no
 * later stage's p99 is KNEE_MIN_RISE above the knee's (so neither is a curve that rose less
 * than that overall).
 */
export function knee(stages: StageSummary[]): number | undefined {
  const points = stages
    .map((s) => [s.offeredRate, s.delay.percentile(99)] as const)
    .filter((p): p is readonly [number, number] => p[1] !== undefined)
    .sort((a, b) => a[0] - b[0]);
  if (points.length < 3) return undefined;
  const [x0, x1] = [points[0]![0], points.at(-1)![0]];
  const ys = points.map((p) => p[1]);
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x1 === x0 || y1 === y0) return undefined;
  let best: number | undefined;
  let bestY = 0;
  let bestGap = 0;
  for (const [x, y] of points) {
    const gap = (x - x0) / (x1 - x0) - (y - y0) / (y1 - y0);
    if (gap > bestGap) [best, bestY, bestGap] = [x, y, gap];
  }
  // Steep after it: some later stage's p99 is that much above the knee's.
  if (best === undefined || !points.some(([x, y]) => x > best! && y - bestY >= KNEE_MIN_RISE * bestY)) return undefined;
  return best;
}
