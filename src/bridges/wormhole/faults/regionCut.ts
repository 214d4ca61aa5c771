import { defineFault } from "../../../load/faultKinds.ts";
import { network } from "./common.ts";
import { checkRegion, regionName, regionTopology } from "./regionCommon.ts";
import type { WormholeFaultTargets } from "./targets.ts";

export const regionCut = defineFault({
  kind: "region-cut",
  models: "gossip splits into `region`'s guardians and the rest; signatures meet again at the heal",
  fields: () => ({ region: regionName }),
  check: (fault, field, scenario, problem) => checkRegion(fault.region, `${field}.region`, scenario, problem),
  async set(fault, on, targets: WormholeFaultTargets) {
    const guardians = network(targets, fault.kind);
    const cut = regionTopology(targets, fault.kind).guardiansIn(fault.region);
    const rest = guardians.guardians.map((g) => g.index).filter((i) => !cut.includes(i));
    guardians.partition(on ? [cut, rest] : undefined);
    return on ? `${cut.length} guardians of ${fault.region} cut off, ${rest.length} left` : undefined;
  },
});
