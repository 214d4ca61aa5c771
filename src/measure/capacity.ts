import type { StageSummary } from "./stats.ts";

/**
 * When a stage counts as sustainable. A stage fails on the first of these that holds:
 * - `delivered<98%`: fewer than 98 % of the stage's own messages were delivered;
 * - `in-flight-growing`: the in-flight count rose faster than max(1, 2 % of the rate) messages/s
 *   over the stage's second half, judged on the lower end of the fitted slope's ~95 %
 *   interval (Little's law: the backlog is building, delay will keep growing);
 * - `drops`: any message of the stage was dropped;
 * - `p99>slo`: the stage's p99 delay exceeded the scenario's SLO (when one is set);
 * - `desync`: the p99 observation skew (first to last guardian seeing a message) exceeded the
 *   scenario's bound (when one is set), or on a Cosmos localnet the validators' height skew
 *   exceeded its bound.
 */
export interface CapacityCriteria {
  minDeliveredRatio: number;
  /** In-flight growth allowed, as a share of the offered rate. */
  maxInFlightGrowth: number;
  sloP99Ms?: number;
  /** Bound on the p99 observation skew, ms. */
  desyncMs?: number;
  /** Bound on the validators' height skew, blocks (Cosmos). */
  maxHeightSkew?: number;
}

export const DEFAULT_CRITERIA: CapacityCriteria = { minDeliveredRatio: 0.98, maxInFlightGrowth: 0.02 };

export function failedCriteria(s: StageSummary, criteria: CapacityCriteria = DEFAULT_CRITERIA): string[] {
  const failed: string[] = [];
  if (s.offered > 0 && s.delivered < criteria.minDeliveredRatio * s.offered) failed.push(`delivered<${Math.round(criteria.minDeliveredRatio * 100)}%`);
  // Judged on the slope's lower bound when there is one: a block-time sawtooth in a short
  // window must not read as growth.
  const growth = s.inFlightSlopeLow ?? s.inFlightSlope;
  if (growth !== undefined && growth > Math.max(1, criteria.maxInFlightGrowth * s.offeredRate)) failed.push("in-flight-growing");
  if (s.dropped > 0) failed.push("drops");
  const p99 = s.delay.percentile(99);
  if (criteria.sloP99Ms !== undefined && p99 !== undefined && p99 > criteria.sloP99Ms) failed.push("p99>slo");
  const skew = s.observationSkew.percentile(99);
  const heightSkew = s.heightSkewMax;
  const desync =
    (criteria.desyncMs !== undefined && skew !== undefined && skew > criteria.desyncMs) ||
    (criteria.maxHeightSkew !== undefined && heightSkew !== undefined && heightSkew > criteria.maxHeightSkew);
  if (desync) failed.push("desync");
  return failed;
}

export interface CapacityVerdict {
  /** Highest offered rate sustained before the first failing stage (undefined if the first stage failed). */
  capacity: number | undefined;
  /** Offered rate of the first failing stage (undefined if none failed: capacity is at least the highest rate tried). */
  failureThreshold: number | undefined;
  /** Criteria the first failing stage broke. */
  failed: string[];
  /** Offered rate at the knee of p99 delay against offered rate (undefined with < 3 stages). */
  knee: number | undefined;
}

/**
 * Reads capacity off stages: the failure threshold is the lowest offered rate that failed,
 * the capacity the highest rate that passed below it. For a rising ramp that is the last
 * stage before the first failure; it also reads a capacity search's bisection probes.
 */
export function capacityVerdict(stages: StageSummary[], criteria: CapacityCriteria = DEFAULT_CRITERIA): CapacityVerdict {
  const judged = stages.map((s) => ({ rate: s.offeredRate, failed: failedCriteria(s, criteria) })).sort((a, b) => a.rate - b.rate);
  const firstFail = judged.find((j) => j.failed.length > 0);
  const passing = judged.filter((j) => j.failed.length === 0 && (!firstFail || j.rate < firstFail.rate));
  return {
    capacity: passing.at(-1)?.rate,
    failureThreshold: firstFail?.rate,
    failed: firstFail?.failed ?? [],
    knee: knee(stages),
  };
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
