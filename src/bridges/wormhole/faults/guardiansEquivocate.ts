import { z } from "zod";
import { defineFault } from "../../../load/faultKinds.ts";
import { generateGuardianKeys } from "../guardians/guardianKeys.ts";
import { checkGuardianCount, lastGuardians, network } from "./common.ts";
import type { WormholeFaultTargets } from "./targets.ts";

export const guardiansEquivocate = defineFault({
  kind: "guardians-equivocate",
  models:
    'the last `count` guardians sign another body for each message (`how` "body") or the right body with a key not in the guardian set (`how` "key"); the aggregation point refuses them, never mixes bodies, and names them in events.csv',
  fields: ({ count }) => ({
    count,
    how: z.enum(["body", "key"], { error: 'must be "body" (another body signed) or "key" (signed with a key not in the set)' }).default("body"),
  }),
  check: (fault, field, scenario, problem) => checkGuardianCount(fault.count, `${field}.count`, scenario, problem),
  async set(fault, on, targets: WormholeFaultTargets) {
    const guardians = lastGuardians(network(targets, fault.kind), fault.count);
    // TEST-ONLY keys that no guardian set holds, one per guardian.
    const wrong = fault.how === "key" ? generateGuardianKeys(Math.max(...guardians.map((g) => g.index), 0) + 1, "equivocating") : [];
    for (const g of guardians)
      g.misbehaviour = !on ? undefined : fault.how === "body" ? { kind: "body" } : { kind: "key", privateKey: wrong[g.index]!.privateKey };
    return undefined;
  },
});
