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
    const chain = targets.chain(fault.target);
    const ms = on ? fault.ms : chain.blockTimeMs;
    // Chains on the block clock change its period (back in step with the others after the heal); others are mined by hand.
    if (chain.setBlockTime) chain.setBlockTime(ms);
    else await targets.mineEvery(fault.target, ms);
    return undefined;
  },
});
