import type { z } from "zod";
import type { StageConfig } from "../fields.ts";

/**
 * One stage type of a scenario's `stages`, in one file of src/load/stages/, listed in
 * stages/index.ts: the scenario schema (a union discriminated on `type`), its error for an
 * unknown type and the expansion into the flat stage list all come from that list, so adding a
 * type is its file plus one line there.
 */
export interface StageType<Schema extends z.ZodType<{ type: string }> = z.ZodType<{ type: string }>> {
  /** The `type` value in a scenario. */
  readonly type: string;
  /** What a stage of this type looks like, for the error on a stage of no known type. */
  readonly example: string;
  /** Its fields, `type` a literal of its name. */
  readonly schema: Schema;
  /** The stages it runs, in order; `before` is what the stages before it expanded to. */
  expand(stage: z.output<Schema>, before: readonly StageConfig[]): StageConfig[];
}

/** Declares a stage type (the schema's output types its expand). */
export function defineStageType<Schema extends z.ZodType<{ type: string }>>(type: StageType<Schema>): StageType<Schema> {
  return type;
}

/** The stage's own `arrivals`, when it chose one (otherwise the scenario's applies). */
export const ownArrivals = (stage: { arrivals?: StageConfig["arrivals"] }) => (stage.arrivals ? { arrivals: stage.arrivals } : {});
