import { z } from "zod";
import type { FaultCheckScenario, FaultProblem } from "../../../load/faultKinds.ts";
import { RegionTopology, regionNames, type RegionFields } from "../guardians/regions.ts";
import type { WormholeFaultTargets } from "./targets.ts";

// What the region fault kinds share: the `region` field, its check against the scenario's
// `guardianNetwork.regions`, and the run's region topology.

const REGION_HINT = "must be a region of guardianNetwork.regions, e.g. eu-west";
export const regionName = z.string({ error: REGION_HINT }).min(1, { error: REGION_HINT });

/** The fault's region must hold guardians of the scenario. */
export function checkRegion(region: string, field: string, scenario: FaultCheckScenario, problem: FaultProblem): void {
  const { guardianNetwork, guardians } = scenario as FaultCheckScenario & { guardianNetwork?: RegionFields; guardians: number };
  const names = regionNames(guardianNetwork, guardians);
  if (!names.length) problem(["faults", "guardianNetwork"], field, region, 'needs guardians placed in regions: set guardianNetwork.regions (e.g. "spread")');
  else if (!names.includes(region)) problem(["faults", "guardianNetwork", "guardians"], field, region, `must be a region with guardians (${names.join(", ")})`);
}

/** The run's region topology, or an error naming the kind that needed it. */
export function regionTopology(targets: WormholeFaultTargets, kind: string): RegionTopology {
  if (!(targets.topology instanceof RegionTopology)) throw new Error(`${kind} needs guardians placed in regions (guardianNetwork.regions)`);
  return targets.topology;
}
