import type { StageSummary } from "./stats.ts";

/** The market a scenario's liquidation triggers protect, for the liquidation-risk columns. */
export interface RiskSettings {
  /** Annualised volatility of the collateral's price (standard deviation of the yearly log return), e.g. 0.8 for 80 %. */
  annualVolatility: number;
  /** Maintenance margin as a share of the position, e.g. 0.005 for 0.5 %: the equity left when a trigger fires. */
  maintenanceMargin: number;
  /** Law of the log return over a trigger's delay: normal, or Student's t scaled to the same variance (heavier tails). */
  distribution: "normal" | "student-t";
  /** Degrees of freedom ν of the Student-t law (> 2, so that its variance is finite). */
  tailDof: number;
}

/** ν = 3: the tail of the return distribution falls as |x|^-3, the "inverse cubic law" measured on short-horizon returns. */
export const DEFAULT_RISK: RiskSettings = { annualVolatility: 0.8, maintenanceMargin: 0.005, distribution: "student-t", tailDof: 3 };

const YEAR_MS = 365.25 * 24 * 3600 * 1000;

/**
 * Standard normal CDF Φ(x) = erfc(−x/√2)/2, with erfc from the Chebyshev fit of Numerical
 * Recipes (§6.2, erfcc): relative error below 1.2e-7 everywhere, far tails included.
 */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfcZ = t * Math.exp(-z * z + poly);
  return x >= 0 ? 1 - erfcZ / 2 : erfcZ / 2;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, nine terms; ~1e-15 relative). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let sum = c[0]!;
  for (let i = 1; i < 9; i++) sum += c[i]! / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Continued fraction of the regularized incomplete beta function (modified Lentz), for x < (a + 1)/(a + b + 2). */
function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  const nonZero = (v: number) => (Math.abs(v) < tiny ? tiny : v);
  let c = 1;
  let d = 1 / nonZero(1 - ((a + b) * x) / (a + 1));
  let h = d;
  for (let m = 1; m <= 500; m++) {
    // Even term d_2m, then odd term d_2m+1.
    const even = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 / nonZero(1 + even * d);
    c = nonZero(1 + even / c);
    h *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 / nonZero(1 + odd * d);
    c = nonZero(1 + odd / c);
    h *= d * c;
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/** ln B(a, b) of the last (a, b) asked: a stage's triggers all use the same ν. */
const lastLogBeta = { a: NaN, b: NaN, value: NaN };

/** Regularized incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  if (lastLogBeta.a !== a || lastLogBeta.b !== b) Object.assign(lastLogBeta, { a, b, value: logGamma(a) + logGamma(b) - logGamma(a + b) });
  const front = Math.exp(a * Math.log(x) + b * Math.log1p(-x) - lastLogBeta.value);
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(x, a, b)) / a : 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/** CDF of Student's t with ν degrees of freedom: for t < 0, I_{ν/(ν+t²)}(ν/2, 1/2) / 2 (computed on the tail side, so small tails keep their precision). */
export function studentTCdf(t: number, dof: number): number {
  const tail = incompleteBeta(dof / (dof + t * t), dof / 2, 0.5) / 2;
  return t <= 0 ? tail : 1 - tail;
}

/**
 * Probability that a liquidation trigger delivered `delayMs` after it fired leaves bad debt:
 * the trigger fires when the position's equity is at the maintenance margin m; a long
 * position loses its equity if the price falls by m or more before the trigger lands, i.e.
 * if the log return X over the delay is ≤ ln(1 − m). X has mean 0 and standard deviation
 * s = σ·√(delay / 1 year) (driftless geometric Brownian motion), and is normal, or s·√((ν−2)/ν)
 * times a Student-t variable with ν degrees of freedom (the same variance, heavier tails).
 */
export function shortfallProbability(delayMs: number, risk: RiskSettings): number {
  if (risk.maintenanceMargin >= 1) return 0;
  if (!(delayMs > 0)) return risk.maintenanceMargin === 0 ? 0.5 : 0;
  const z = Math.log1p(-risk.maintenanceMargin) / (risk.annualVolatility * Math.sqrt(delayMs / YEAR_MS));
  if (risk.distribution === "normal") return normalCdf(z);
  return studentTCdf(z * Math.sqrt(risk.tailDof / (risk.tailDof - 2)), risk.tailDof);
}

export interface StageRisk {
  /** The stage's liquidation triggers with a final status (delivered + dropped; = offered in a complete run). */
  triggers: number;
  /** Triggers dropped: missed liquidations. */
  missed: number;
  /** Triggers delivered after their deadline. */
  late: number;
  /** Nearest-rank p99 of the delivered triggers' delay, ms. */
  p99DelayMs: number | undefined;
  /** Mean over the triggers of the shortfall probability: shortfallProbability(delay) for a delivered one, 1 for a missed one. */
  shortfallProbability: number | undefined;
}

/** Liquidation risk of a stage, from its liquidation triggers alone (model: shortfallProbability). */
export function stageRisk(s: StageSummary, risk: RiskSettings): StageRisk {
  const l = s.liquidation;
  const triggers = l.delivered + l.dropped;
  let sum = l.dropped;
  for (const delay of l.delay.sorted()) sum += shortfallProbability(delay, risk);
  return { triggers, missed: l.dropped, late: l.late, p99DelayMs: l.delay.percentile(99), shortfallProbability: triggers ? sum / triggers : undefined };
}
