import { z } from "zod";
import { faultSchema, type FaultCatalog, type FaultFieldParts } from "./faultKinds.ts";
import { TRIGGER_KINDS, type TriggerKind } from "../measure/kinds.ts";

// The zod pieces scenario fields are built from: the engine's schema (src/load/scenario.ts)
// and the bridges' sections use the same durations, rates and integer ranges.

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

export const kindWeights = (what: string) =>
  z.strictObject(
    Object.fromEntries(
      TRIGGER_KINDS.map((k) => [
        k,
        z
          .number({ error: `must be a number ≥ 0 (${what})` })
          .min(0, { error: "must be a number ≥ 0" })
          .optional(),
      ]),
    ) as Record<TriggerKind, z.ZodOptional<z.ZodNumber>>,
  );

export const arrivals = z.enum(ARRIVALS, { error: 'must be "even" (fixed gaps, the default) or "poisson" (exponential gaps drawn from the seed: bursts)' });
export const constantStage = z.strictObject({ type: z.literal("constant").optional(), rate: rate(), duration, arrivals: arrivals.optional() });
export const rampingStage = z.strictObject({
  type: z.literal("ramping"),
  from: z.number().min(0).optional(),
  rate: rate(),
  duration,
  arrivals: arrivals.optional(),
});
export const stepsStage = z
  .strictObject({ type: z.literal("steps"), from: rate(), to: rate(), step: rate(), duration, arrivals: arrivals.optional() })
  .refine((s) => s.to >= s.from, { message: "steps: `to` must be ≥ `from`", path: ["to"] })
  .refine((s) => (s.to - s.from) / s.step <= 1000, { message: "steps: at most 1000 steps", path: ["step"] });
export const stage = z.unknown().pipe(
  z.discriminatedUnion("type", [constantStage.extend({ type: z.literal("constant") }), rampingStage, stepsStage], {
    error:
      'must be "constant" (the default), "ramping" or "steps": { "rate": n, "duration": "10s" }, { "type": "ramping", "from": n, "rate": n, "duration": … } or { "type": "steps", "from": n, "to": n, "step": n, "duration": … }',
  }),
);

/** The zod pieces every fault kind's fields are built from. */
const faultParts: FaultFieldParts = {
  duration: duration as unknown as z.ZodType<number>,
  count: integer(1, 19),
  target: z.string({ error: 'must be a chain of the scenario (e.g. "Arbitrum") or "vaa-api"' }),
  ms: () => z.number({ error: "must be a number of ms ≥ 0" }).min(0, { error: "must be a number of ms ≥ 0" }),
};

/** The engine's fields of a scenario (every bridge has them); `bridge` and the bridge's section are parsed apart. */
export function engineSchema(catalog: FaultCatalog) {
  return z.object({
    name: z.string().optional(),
    description: z.string().optional(),
    seed: integer(0, 2 ** 32 - 1).default(1),
    arrivals: arrivals.default("even"),
    risk: z
      .strictObject({
        annualVolatility: z
          .number({ error: "must be a share > 0, e.g. 0.8 for 80 % a year" })
          .positive({ error: "must be a share > 0, e.g. 0.8 for 80 % a year" })
          .max(20),
        maintenanceMargin: z.number({ error: "must be a share from 0 to 1, e.g. 0.005 for 0.5 %" }).min(0).max(1),
        distribution: z.enum(["normal", "student-t"], {
          error: 'must be "normal" or "student-t" (the law of the price\'s log return over a trigger\'s delay)',
        }),
        tailDof: z
          .number({ error: "must be a number of degrees of freedom > 2, e.g. 3 (the Student-t variance is finite only above 2)" })
          .gt(2, { error: "must be a number of degrees of freedom > 2, e.g. 3 (the Student-t variance is finite only above 2)" })
          .max(1000, { error: 'must be at most 1000 (beyond that Student\'s t is the normal law: use "distribution": "normal")' }),
      })
      .partial()
      .default({}),
    search: z
      .strictObject({
        from: rate(),
        factor: z.number({ error: "must be a number > 1" }).gt(1, { error: "must be a number > 1" }).default(1.5),
        step: rate().optional(),
        max: rate(),
        duration: duration.default(10),
        cooldown: duration.default(30),
        refine: integer(0, 10).default(3),
      })
      .refine((v) => v.max >= v.from, { message: "must be ≥ search.from", path: ["max"] })
      .optional(),
    slo: z
      .strictObject({
        p99Ms: z.number({ error: "must be a number of ms > 0" }).positive({ error: "must be a number of ms > 0" }).optional(),
        desyncMs: z.number({ error: "must be a number of ms > 0" }).positive({ error: "must be a number of ms > 0" }).optional(),
        maxLateShare: z
          .number({ error: "must be a share from 0 to 1, e.g. 0.05" })
          .min(0, { error: "must be a share from 0 to 1, e.g. 0.05" })
          .max(1, { error: "must be a share from 0 to 1, e.g. 0.05" })
          .optional(),
      })
      .optional(),
    stages: z
      .array(
        z
          .unknown()
          .transform((s) => (s && typeof s === "object" && !("type" in s) ? { ...s, type: "constant" } : s))
          .pipe(stage),
        {
          error: 'must be a non-empty array like [{ "rate": 10, "duration": "10s" }]',
        },
      )
      .min(1, { error: 'must be a non-empty array like [{ "rate": 10, "duration": "10s" }]' })
      .optional(),
    drain: duration.default(20),
    mix: kindWeights("a weight").default({}),
    deadlineMs: kindWeights("ms").default({}),
    spamPaddingBytes: integer(0, 16_384).default(256),
    maxInFlightSends: integer(1, 1_000_000).default(10_000),
    thresholds: z.array(z.string({ error: 'must be an expression like "p99<2000"' })).default([]),
    faults: z.array(faultSchema(catalog, faultParts)).default([]),
  });
}

/** Turns "steps" and "ramping" stages into the flat list the schedule runs. */
export function expandStages(stages: Array<z.infer<typeof constantStage> | z.infer<typeof rampingStage> | z.infer<typeof stepsStage>>): StageConfig[] {
  const out: StageConfig[] = [];
  for (const s of stages) {
    const own = s.arrivals ? { arrivals: s.arrivals } : {};
    if (s.type === "steps") {
      for (let r = s.from; r <= s.to + 1e-9; r += s.step) out.push({ rate: r, startRate: r, durationS: s.duration, ...own });
    } else if (s.type === "ramping") {
      out.push({ rate: s.rate, startRate: s.from ?? out.at(-1)?.rate ?? 0, durationS: s.duration, ...own });
    } else {
      out.push({ rate: s.rate, startRate: s.rate, durationS: s.duration, ...own });
    }
  }
  return out;
}
