import { defineBridge, RelayerPresetError } from "../../engine/bridge.ts";
import { LOCALNET_FAULTS } from "../localnets/faults/index.ts";
import type { CosmosScenario, CosmosSettings } from "../localnets/scenario.ts";
import { CosmosTxPath } from "./path.ts";
import { COSMOS_SENDERS, cosmosTxSection } from "./scenario.ts";

/** CosmJS transactions into a Cosmos SDK localnet (scenario value "cosmos"). */
export const cosmosTx = defineBridge<CosmosScenario>({
  name: "cosmos",
  summary: "CosmJS transactions into a Cosmos localnet",
  section: cosmosTxSection,
  search: false,
  faults: LOCALNET_FAULTS,
  // One route: the CosmJS senders → the localnet.
  routes: (section) => [{ from: COSMOS_SENDERS, to: [(section.cosmos as CosmosSettings).chainId] }],
  createPath: (scenario) => new CosmosTxPath(scenario),
  criteria: (scenario) => ({ maxHeightSkew: scenario.cosmos.maxHeightSkew }),
  blockTimeMs: (scenario) => scenario.cosmos.blockTimeMs,
  // Its senders write to the chain themselves: there is no relayer to choose.
  relayer: () => "none",
  withRelayer(_scenario, preset) {
    throw new RelayerPresetError(`bridge "cosmos" has no relayer to compare (CosmJS senders write to the chain directly); got preset "${preset}"`);
  },
});
