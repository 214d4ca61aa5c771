import { z } from "zod";
import type { StageConfig } from "../fields.ts";
import { constant } from "./constant.ts";
import { ramping } from "./ramping.ts";
import { steps } from "./steps.ts";
import type { StageType } from "./stageType.ts";

/** The stage types, in the order the error for an unknown type names them; the first is the default (a stage without `type`). A new type is its file plus one line here. */
export const STAGE_TYPES = [constant, ramping, steps] as const;

export const DEFAULT_STAGE_TYPE = STAGE_TYPES[0].type;

/** A stage as parsed: one of the types' outputs. */
export type ParsedStage = z.output<(typeof STAGE_TYPES)[number]["schema"]>;

/** "a, b or c". */
const either = (items: string[]) => (items.length > 1 ? `${items.slice(0, -1).join(", ")} or ${items.at(-1)}` : (items[0] ?? ""));

const names = STAGE_TYPES.map((s) => `"${s.type}"${s.type === DEFAULT_STAGE_TYPE ? " (the default)" : ""}`);

/** One stage of a scenario: a union of the types' schemas, discriminated on `type`. */
export const stageSchema = z.unknown().pipe(
  z.discriminatedUnion("type", STAGE_TYPES.map((s) => s.schema) as unknown as [(typeof STAGE_TYPES)[number]["schema"]], {
    error: `must be ${either(names)}: ${either(STAGE_TYPES.map((s) => s.example))}`,
  }),
);

/** Turns the scenario's stages into the flat list the schedule runs, each by its type's expand. */
export function expandStages(stages: readonly ParsedStage[]): StageConfig[] {
  const out: StageConfig[] = [];
  for (const stage of stages) {
    const type = STAGE_TYPES.find((t) => t.type === stage.type) as StageType | undefined;
    if (!type) throw new Error(`stage type "${stage.type}": not one of ${STAGE_TYPES.map((t) => t.type).join(", ")}`);
    out.push(...type.expand(stage, out));
  }
  return out;
}
