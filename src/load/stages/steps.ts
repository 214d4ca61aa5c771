import { z } from "zod";
import type { StageConfig } from "../fields.ts";
import { arrivals, duration, rate } from "../fields.ts";
import { defineStageType, ownArrivals } from "./stageType.ts";

/** Constant stages of `duration` each, at `from`, `from + step`, … up to `to`. */
export const steps = defineStageType({
  type: "steps",
  example: '{ "type": "steps", "from": n, "to": n, "step": n, "duration": … }',
  schema: z
    .strictObject({ type: z.literal("steps"), from: rate(), to: rate(), step: rate(), duration, arrivals: arrivals.optional() })
    .refine((s) => s.to >= s.from, { message: "steps: `to` must be ≥ `from`", path: ["to"] })
    .refine((s) => (s.to - s.from) / s.step <= 1000, { message: "steps: at most 1000 steps", path: ["step"] }),
  expand(s) {
    const out: StageConfig[] = [];
    for (let r = s.from; r <= s.to + 1e-9; r += s.step) out.push({ rate: r, startRate: r, durationS: s.duration, ...ownArrivals(s) });
    return out;
  },
});
