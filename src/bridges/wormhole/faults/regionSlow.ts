import { z } from "zod";
import { defineFault } from "../../../load/faultKinds.ts";
import { checkRegion, regionName, regionTopology } from "./regionCommon.ts";
import type { WormholeFaultTargets } from "./targets.ts";

export const regionSlow = defineFault({
  kind: "region-slow",
  models: "every guardian of `region` gossips `ms` slower: its signatures reach the aggregation point `ms` later",
  fields: () => ({ region: regionName, ms: z.number({ error: "must be a number of ms ≥ 0" }).min(0, { error: "must be a number of ms ≥ 0" }) }),
  check: (fault, field, scenario, problem) => checkRegion(fault.region, `${field}.region`, scenario, problem),
  async set(fault, on, targets: WormholeFaultTargets) {
    regionTopology(targets, fault.kind).slow(fault.region, on ? fault.ms : 0);
    return undefined;
  },
});
