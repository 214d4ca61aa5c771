import { defineFault } from "../../../load/faultKinds.ts";
import { checkGuardianCount, network } from "./common.ts";
import type { WormholeFaultTargets } from "./targets.ts";

export const gossipPartition = defineFault({
  kind: "gossip-partition",
  models: "gossip splits into guardians [0, split) and [split, n); signatures meet again at the heal",
  fields: ({ count }) => ({ split: count.optional() }),
  check: (fault, field, scenario, problem) => checkGuardianCount(fault.split, `${field}.split`, scenario, problem),
  async set(fault, on, targets: WormholeFaultTargets) {
    const guardians = network(targets, fault.kind);
    const all = guardians.guardians.map((g) => g.index);
    const split = fault.split ?? Math.floor(all.length / 2);
    guardians.partition(on ? [all.slice(0, split), all.slice(split)] : undefined);
    return undefined;
  },
});
