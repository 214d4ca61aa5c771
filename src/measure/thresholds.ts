/**
 * k6-style pass/fail criteria: `<metric><op><number>`, e.g. `p99<2000`, `drop_rate==0`,
 * `late_rate<0.01`. Checked against the whole run; any failure makes the CLI exit 99.
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
  late_rate: "late / delivered",
  delivered_rate: "delivered / offered",
  duplicates: "duplicate deliveries (count)",
  phantom_deliveries: "deliveries of messages a source reorg rolled back (count)",
  send_lateness_p99: "p99 of how late sends left, ms",
} as const;

export type ThresholdMetric = keyof typeof THRESHOLD_METRICS;
const OPERATORS = ["<=", ">=", "==", "!=", "<", ">"] as const;
type Operator = (typeof OPERATORS)[number];

export interface Threshold {
  text: string;
  metric: ThresholdMetric;
  op: Operator;
  value: number;
}

export interface ThresholdResult extends Threshold {
  actual: number | undefined;
  passed: boolean;
}

/** Exit code of a run whose thresholds failed (as k6). */
export const THRESHOLD_EXIT_CODE = 99;

export function parseThreshold(text: string): Threshold {
  const match = /^\s*([a-z_0-9.]+)\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!match) throw new Error(`must look like "p99<2000": a metric, one of ${OPERATORS.join(" ")}, and a number`);
  const [, metric, op, value] = match as unknown as [string, string, Operator, string];
  if (!(metric in THRESHOLD_METRICS)) throw new Error(`unknown metric "${metric}"; use one of ${Object.keys(THRESHOLD_METRICS).join(", ")}`);
  return { text: text.trim(), metric: metric as ThresholdMetric, op, value: Number(value) };
}

function compare(actual: number, op: Operator, value: number): boolean {
  switch (op) {
    case "<": return actual < value;
    case "<=": return actual <= value;
    case ">": return actual > value;
    case ">=": return actual >= value;
    case "==": return actual === value;
    case "!=": return actual !== value;
  }
}

/** A metric without data (e.g. p99 with nothing delivered) fails its threshold. */
export function evaluateThresholds(thresholds: Threshold[], metrics: Partial<Record<ThresholdMetric, number>>): ThresholdResult[] {
  return thresholds.map((t) => {
    const actual = metrics[t.metric];
    return { ...t, actual, passed: actual !== undefined && Number.isFinite(actual) && compare(actual, t.op, t.value) };
  });
}
