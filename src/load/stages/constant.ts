import { z } from "zod";
import { arrivals, duration, rate } from "../fields.ts";
import { defineStageType, ownArrivals } from "./stageType.ts";

/** One rate for the whole stage (a stage without `type` is one). */
export const constant = defineStageType({
  type: "constant",
  example: '{ "rate": n, "duration": "10s" }',
  schema: z.strictObject({ type: z.literal("constant"), rate: rate(), duration, arrivals: arrivals.optional() }),
  expand: (s) => [{ rate: s.rate, startRate: s.rate, durationS: s.duration, ...ownArrivals(s) }],
});
