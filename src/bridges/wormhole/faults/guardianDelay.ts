import { z } from "zod";
import { defineFault } from "../../../load/faultKinds.ts";
import { checkGuardianCount, lastGuardians, network } from "./common.ts";
import type { WormholeFaultTargets } from "./targets.ts";

export const guardianDelay = defineFault({
  kind: "guardian-delay",
  models: "the last `count` guardians observe (and so sign) `ms` (+ uniform 0…`jitterMs`) late",
  fields: ({ count }) => ({
    count,
    ms: z.number({ error: "must be a number of ms ≥ 0" }).min(0),
    jitterMs: z.number({ error: "must be a number of ms ≥ 0" }).min(0).default(0),
  }),
  check: (fault, field, scenario, problem) => checkGuardianCount(fault.count, `${field}.count`, scenario, problem),
  async set(fault, on, targets: WormholeFaultTargets, random) {
    for (const g of lastGuardians(network(targets, fault.kind), fault.count)) g.observationDelayMs = on ? () => fault.ms + random() * fault.jitterMs : () => 0;
    return undefined;
  },
});
