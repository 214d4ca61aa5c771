import { defineFault } from "../../../load/faultKinds.ts";
import { checkGuardianCount, lastGuardians, network } from "./common.ts";
import type { WormholeFaultTargets } from "./targets.ts";

export const guardiansWithhold = defineFault({
  kind: "guardians-withhold",
  models: "the last `count` guardians observe but never share their signatures",
  fields: ({ count }) => ({ count }),
  check: (fault, field, scenario, problem) => checkGuardianCount(fault.count, `${field}.count`, scenario, problem),
  async set(fault, on, targets: WormholeFaultTargets) {
    const guardians = network(targets, fault.kind);
    for (const g of lastGuardians(guardians, fault.count)) on ? guardians.withholding.add(g.index) : guardians.withholding.delete(g.index);
    return undefined;
  },
});
