import { BridgeStressError } from "../infra/errors.ts";
/**
 * k6-style pass/fail criteria: `<metric><op><number>`, e.g. `p99<2000`, `p(99.9)<5000`,
 * `drop_rate==0`, `late_rate<0.01`. Checked against the whole run; any failure makes the CLI exit 99.
 */
export const THRESHOLD_METRICS = {
  p50: "end-to-end delay p50, ms",
  p90: "end-to-end delay p90, ms",
  p99: "end-to-end delay p99, ms",
  "p99.9": "end-to-end delay p99.9, ms",
  max: "largest end-to-end delay, ms",
  avg: "mean end-to-end delay, ms",
  jitter: "delay spread p95 − p5 (nearest rank): the window 90 % of messages arrived within, ms",
  drop_rate: "dropped / offered",
  late_rate: "late (by either clock: messages.csv's late) / delivered",
  delivered_rate: "delivered / offered",
  duplicates: "duplicate deliveries (count)",
  phantom_deliveries: "deliveries of messages a source reorg rolled back (count)",
  send_lateness_p99: "p99 of how late sends left, ms",
} as const;

export type ThresholdMetric = keyof typeof THRESHOLD_METRICS;
const OPERATORS = ["<=", ">=", "==", "!=", "<", ">"] as const;
type Operator = (typeof OPERATORS)[number];

/** What each metric measures, for its allowed values. */
const RATIOS = new Set<string>(["drop_rate", "late_rate", "delivered_rate"]);
const COUNTS = new Set<string>(["duplicates", "phantom_deliveries"]);

export interface Threshold {
  text: string;
  /** A metric of THRESHOLD_METRICS, or `p(N)` (k6's spelling) for the run's delay percentile N. */
  metric: ThresholdMetric | `p(${number})`;
  op: Operator;
  value: number;
  /** For `p(N)`: N, in (0, 100]. */
  percentile?: number;
}

export interface ThresholdResult extends Threshold {
  actual: number | undefined;
  passed: boolean;
}

/** A threshold that cannot be read: the message names what is wrong with it (the caller adds which threshold). */
export class ThresholdError extends BridgeStressError {
  static override readonly code = "threshold-invalid";
  static override readonly docs = "README.md#thresholds";
}

/** Exit code of a run whose thresholds failed (as k6). */
export const THRESHOLD_EXIT_CODE = 99;

const METRIC_LIST = `${Object.keys(THRESHOLD_METRICS).join(", ")}, or p(N) for any delay percentile 0 < N ≤ 100 (k6's spelling, e.g. p(99.9))`;

/**
 * Parses one threshold. A metric is looked up among THRESHOLD_METRICS's own keys (so
 * `constructor` or `__proto__` is unknown, not an inherited property), and a value outside
 * the metric's range (a ratio outside [0, 1], a negative count or time) is refused.
 */
export function parseThreshold(text: string): Threshold {
  const match = /^\s*(p\([^)]*\)|[A-Za-z_$][\w$.]*)\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!match) throw new ThresholdError(`must look like "p99<2000": a metric, one of ${OPERATORS.join(" ")}, and a number`);
  const [, name, op, written] = match as unknown as [string, string, Operator, string];
  const value = Number(written);
  if (!Number.isFinite(value)) {
    throw new ThresholdError(`${name}: the value ${written.slice(0, 6)}… is not a finite number (${written.length} digits); write a number below 1e308`);
  }
  const percentileOf = /^p\(\s*(\d+(?:\.\d+)?)\s*\)$/.exec(name);
  if (name.startsWith("p(")) {
    const n = percentileOf ? Number(percentileOf[1]) : Number.NaN;
    if (!(n > 0 && n <= 100)) throw new ThresholdError(`"${name}" must be p(N) with a number 0 < N ≤ 100, e.g. p(99) or p(99.9)`);
    if (value < 0) throw new ThresholdError(`${name} is a time in ms ≥ 0`);
    return { text: text.trim(), metric: `p(${n})`, op, value, percentile: n };
  }
  if (!Object.hasOwn(THRESHOLD_METRICS, name)) {
    const hint = /^p\d+(\.\d+)?$/.test(name) ? `; for that percentile write p(${name.slice(1)})` : "";
    throw new ThresholdError(`unknown metric "${name}"; use one of ${METRIC_LIST}${hint}`);
  }
  if (RATIOS.has(name) && !(value >= 0 && value <= 1)) {
    const asShare = value > 1 && value <= 100 ? `; for ${value} % write ${name}${op}${+(value / 100).toPrecision(12)}` : "";
    throw new ThresholdError(`${name} is a ratio in [0, 1]${asShare}`);
  }
  if (value < 0) throw new ThresholdError(`${name} is ${COUNTS.has(name) ? "a count" : "a time in ms"} ≥ 0`);
  return { text: text.trim(), metric: name as ThresholdMetric, op, value };
}

function compare(actual: number, op: Operator, value: number): boolean {
  switch (op) {
    case "<":
      return actual < value;
    case "<=":
      return actual <= value;
    case ">":
      return actual > value;
    case ">=":
      return actual >= value;
    case "==":
      return actual === value;
    case "!=":
      return actual !== value;
  }
}

/**
 * A metric without data (e.g. p99 with nothing delivered) fails its threshold. `percentile`
 * answers `p(N)`: the run's end-to-end delay percentile N (the same rule as steps.csv's).
 */
export function evaluateThresholds(
  thresholds: Threshold[],
  metrics: Partial<Record<ThresholdMetric, number>>,
  percentile: (p: number) => number | undefined = () => undefined,
): ThresholdResult[] {
  return thresholds.map((t) => {
    const named = Object.hasOwn(metrics, t.metric) ? metrics[t.metric as ThresholdMetric] : undefined;
    const actual = t.percentile !== undefined ? percentile(t.percentile) : named;
    return { ...t, actual, passed: actual !== undefined && Number.isFinite(actual) && compare(actual, t.op, t.value) };
  });
}
