import type { BridgeDefinition } from "../../engine/bridge.ts";
import { LOCALNET_FAULTS } from "../localnets/faults/index.ts";
import { CosmosTxPath } from "./path.ts";

/** CosmJS transactions into a Cosmos SDK localnet (scenario value "cosmos"). */
export const cosmosTx: BridgeDefinition = {
  name: "cosmos",
  summary: "CosmJS transactions into a Cosmos localnet",
  faults: LOCALNET_FAULTS,
  createPath: (scenario) => new CosmosTxPath(scenario),
  criteria: (scenario) => ({ maxHeightSkew: scenario.cosmos.maxHeightSkew }),
};
