import { z } from "zod";
import { defineFault } from "../../../load/faultKinds.ts";
import { checkTarget } from "./common.ts";
import type { WormholeFaultTargets } from "./targets.ts";

export const blockTime = defineFault({
  kind: "block-time",
  models: "chain `target` produces a block every `ms`",
  fields: ({ target }) => ({ target, ms: z.number({ error: "must be a number of ms ≥ 10" }).min(10) }),
  check: (fault, field, scenario, problem) => checkTarget(fault, field, scenario, problem),
  async set(fault, on, targets: WormholeFaultTargets) {
    await targets.mineEvery(fault.target, on ? fault.ms : targets.chain(fault.target).blockTimeMs);
    return undefined;
  },
});
