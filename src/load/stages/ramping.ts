import { z } from "zod";
import { arrivals, duration, rate } from "../fields.ts";
import { defineStageType, ownArrivals } from "./stageType.ts";

/** The rate goes linearly from `from` (default: the previous stage's rate, or 0) to `rate`. */
export const ramping = defineStageType({
  type: "ramping",
  example: '{ "type": "ramping", "from": n, "rate": n, "duration": … }',
  schema: z.strictObject({ type: z.literal("ramping"), from: z.number().min(0).optional(), rate: rate(), duration, arrivals: arrivals.optional() }),
  expand: (s, before) => [{ rate: s.rate, startRate: s.from ?? before.at(-1)?.rate ?? 0, durationS: s.duration, ...ownArrivals(s) }],
});
