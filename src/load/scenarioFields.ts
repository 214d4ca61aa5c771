import { z } from "zod";
import { faultSchema, type FaultCatalog, type FaultFieldParts } from "./faultKinds.ts";
import { TRIGGER_KINDS, type TriggerKind } from "../measure/kinds.ts";
import { arrivals, duration, integer, rate } from "./fields.ts";
import { DEFAULT_STAGE_TYPE, stageSchema } from "./stages/index.ts";

// The engine's scenario schema (src/load/scenario.ts parses with it); its pieces are in fields.ts,
// its stage types in stages/.

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

const SHARE = "must be a share of the machine's memory between 0 and 1 (exclusive), e.g. 0.1";

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
          .transform((s) => (s && typeof s === "object" && !("type" in s) ? { ...s, type: DEFAULT_STAGE_TYPE } : s))
          .pipe(stageSchema),
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
    memoryGuard: z
      .union(
        [
          z.literal(false),
          z.strictObject({
            minAvailable: z.number({ error: SHARE }).gt(0, { error: SHARE }).lt(1, { error: SHARE }).optional(),
            maxProcess: z.number({ error: SHARE }).gt(0, { error: SHARE }).lt(1, { error: SHARE }).optional(),
          }),
        ],
        { error: 'must be false (no guard) or { "minAvailable": 0.1, "maxProcess": 0.5 } (shares of the machine\'s memory, each between 0 and 1)' },
      )
      .optional(),
    thresholds: z.array(z.string({ error: 'must be an expression like "p99<2000"' })).default([]),
    faults: z.array(faultSchema(catalog, faultParts)).default([]),
  });
}
