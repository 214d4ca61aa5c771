import type { StageSummary } from "./stats.ts";

/** The market a scenario's liquidation triggers protect, for the liquidation-risk columns. */
export interface RiskSettings {
  /** Annualised volatility of the collateral's price, e.g. 0.8 for 80 %. */
  annualVolatility: number;
  /** Maintenance margin as a share of the position, e.g. 0.005 for 0.5 %. */
  maintenanceMargin: number;
  /** One-sided confidence of the adverse price move, e.g. 0.99. */
  confidence: number;
}

export const DEFAULT_RISK: RiskSettings = { annualVolatility: 0.8, maintenanceMargin: 0.005, confidence: 0.99 };

const YEAR_MS = 365.25 * 24 * 3600 * 1000;

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

export interface StageRisk {
  /** Share of the stage's triggers delivered before their deadline. */
  onTimeShare: number | undefined;
  /** Adverse price move over the stage's p99 delay at the chosen confidence, as a share of price. */
  priceMove: number | undefined;
  /** Highest leverage whose initial margin still covers the maintenance margin plus that move. */
  maxLeverage: number | undefined;
}

/**
 * Liquidation risk of a stage. The price follows a driftless geometric Brownian motion, so
 * over a delay T its log return is normal with σ·√(T / 1 year); the adverse move at
 * confidence c is z_c·σ·√(T/year), T the stage's p99 end-to-end delay. A position opened at
 * leverage L has margin 1/L; it stays solvent through the delay only if 1/L covers the
 * maintenance margin m plus that move: L_max = 1 / (m + z_c·σ·√(T/year)). Left out: fees,
 * slippage, the liquidation's own execution time after delivery, and jumps.
 */
export function stageRisk(s: StageSummary, risk: RiskSettings): StageRisk {
  const onTimeShare = s.offered ? (s.delivered - s.late) / s.offered : undefined;
  const p99 = s.delay.percentile(99);
  if (p99 === undefined) return { onTimeShare, priceMove: undefined, maxLeverage: undefined };
  const priceMove = normalQuantile(risk.confidence) * risk.annualVolatility * Math.sqrt(p99 / YEAR_MS);
  return { onTimeShare, priceMove, maxLeverage: 1 / (risk.maintenanceMargin + priceMove) };
}
