import type { CosmosLocalnet } from "../../../../chains/cosmos.ts";
import type { FaultTargets } from "../../../engine/faultRunner.ts";
import type { FaultCheckScenario, FaultProblem, FaultSpec } from "../../../load/faultKinds.ts";
import type { CosmosSettings } from "../scenario.ts";

/** The live parts of a Cosmos run (bridges cosmos and ibc) that its fault kinds act on. */
export interface LocalnetFaultTargets extends FaultTargets {
  /** Cosmos localnets by chain id. */
  localnets: Map<string, CosmosLocalnet>;
}

/** The localnet a fault targets, or an error naming it. */
export function localnet(targets: LocalnetFaultTargets, chainId: string): CosmosLocalnet {
  const net = targets.localnets.get(chainId);
  if (!net) throw new Error(`no Cosmos localnet ${chainId} in this run`);
  return net;
}

/** The last `count` validators: like guardians, the same scenario always hits the same ones. */
export function lastValidators(net: CosmosLocalnet, count: number): CosmosLocalnet["validators"] {
  return net.validators.slice(Math.max(0, net.validators.length - count));
}

/** The target must be a localnet of the scenario and the count within its validator set. */
export function checkValidators(fault: FaultSpec<{ target: string; count: number }>, field: string, checked: FaultCheckScenario, problem: FaultProblem): void {
  // The ibc bridge's section adds the destination localnet; the cosmos bridge's has none.
  const scenario = checked as FaultCheckScenario & { cosmos: CosmosSettings; ibc?: { destinationChainId: string } };
  const ids = scenario.ibc ? [scenario.cosmos.chainId, scenario.ibc.destinationChainId] : [scenario.cosmos.chainId];
  if (!ids.includes(fault.target)) {
    problem(["bridge", "faults", "cosmos", "ibc"], `${field}.target`, fault.target, `must be a localnet of this scenario (${ids.join(", ")})`);
  }
  if (fault.count > scenario.cosmos.validators) {
    problem(["faults", "cosmos"], `${field}.count`, fault.count, `must be at most cosmos.validators (${scenario.cosmos.validators})`);
  }
}
