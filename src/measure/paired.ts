import { tQuantile, tUpperTail } from "./tdist.ts";

/** Family-wise error rate of one pair of presets' verdicts. */
export const ALPHA = 0.05;

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
