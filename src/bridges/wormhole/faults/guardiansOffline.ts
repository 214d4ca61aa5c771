import { defineFault } from "../../../load/faultKinds.ts";
import { checkGuardianCount, lastGuardians, network } from "./common.ts";
import type { WormholeFaultTargets } from "./targets.ts";

export const guardiansOffline = defineFault({
  kind: "guardians-offline",
  models: "the last `count` guardians stop observing and signing",
  fields: ({ count }) => ({ count }),
  check: (fault, field, scenario, problem) => checkGuardianCount(fault.count, `${field}.count`, scenario, problem),
  async set(fault, on, targets: WormholeFaultTargets) {
    for (const g of lastGuardians(network(targets, fault.kind), fault.count)) g.online = !on;
    return undefined;
  },
});
