import { z } from "zod";

// The zod pieces scenario fields are built from (durations, rates, integer ranges, arrivals) and
// what a stage expands to: shared by the engine's schema (scenarioFields.ts), the stage types
// (stages/) and the bridges' sections.

/**
 * How a stage's messages are spaced: `even` — message k at the time its rate makes k due
 * (fixed gaps at a constant rate); `poisson` — a Poisson process at the stage's rate, gaps
 * drawn exponential from the scenario's seed, so messages come in bursts and lulls.
 */
export const ARRIVALS = ["even", "poisson"] as const;
export type Arrivals = (typeof ARRIVALS)[number];

/** One stage after expansion: the offered rate goes linearly from `startRate` to `rate` (equal for constant stages). */
export interface StageConfig {
  /** Offered arrival rate at the stage's end, messages per second (open model). */
  rate: number;
  /** Offered rate at the stage's start. */
  startRate: number;
  durationS: number;
  /** Start, ms from the run's start, when stages do not simply follow each other (capacity-search probes). */
  startAtMs?: number;
  /** Set when the stage chose its own; otherwise the scenario's `arrivals`. */
  arrivals?: Arrivals;
}

/** Parses "10s", "500ms", "2m", "1h" or a number of seconds. */
export function parseDurationS(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  if (typeof value !== "string") return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim());
  if (!match) return undefined;
  const n = Number(match[1]);
  return { ms: n / 1000, s: n, m: n * 60, h: n * 3600 }[match[2] as "ms" | "s" | "m" | "h"];
}

export const DURATION_HINT = 'must be a duration like "10s", "500ms", "2m" or a number of seconds';
export const duration = z.unknown().transform((v, ctx) => {
  const s = parseDurationS(v);
  if (s === undefined) {
    ctx.addIssue({ code: "custom", message: DURATION_HINT, input: v });
    return z.NEVER;
  }
  return s;
});
export const rate = (what = "a number") =>
  z
    .number({ error: `must be ${what} > 0 and ≤ 100000 (messages per second)` })
    .positive({ error: "must be a number > 0" })
    .max(100_000, { error: "must be ≤ 100000" });
export const integer = (min: number, max: number) =>
  z
    .number({ error: `must be an integer from ${min} to ${max}` })
    .int({ error: `must be an integer from ${min} to ${max}` })
    .min(min, { error: `must be an integer from ${min} to ${max}` })
    .max(max, { error: `must be an integer from ${min} to ${max}` });

export const arrivals = z.enum(ARRIVALS, { error: 'must be "even" (fixed gaps, the default) or "poisson" (exponential gaps drawn from the seed: bursts)' });
