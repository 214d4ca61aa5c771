import { defineBridge } from "../../engine/bridge.ts";
import { LOCALNET_FAULTS } from "../localnets/faults/index.ts";
import type { CosmosSettings } from "../localnets/scenario.ts";
import { IbcPath } from "./path.ts";
import { ibcSection, type IbcScenario, type IbcSettings } from "./scenario.ts";

/** ICS-20 transfers between two Cosmos localnets, relayed by rly. */
export const ibc = defineBridge<IbcScenario>({
  name: "ibc",
  summary: "ICS-20 transfers between two localnets, relayed by rly",
  section: ibcSection,
  search: false,
  faults: LOCALNET_FAULTS,
  // One route: the source localnet → the destination localnet.
  routes: (section) => [{ from: (section.cosmos as CosmosSettings).chainId, to: [(section.ibc as IbcSettings).destinationChainId] }],
  check(section, problem) {
    const { cosmos, ibc } = section as { cosmos: CosmosSettings; ibc: IbcSettings };
    if (ibc.destinationChainId === cosmos.chainId) {
      problem(["bridge", "ibc", "cosmos"], "ibc.destinationChainId", ibc.destinationChainId, `must differ from cosmos.chainId ("${cosmos.chainId}")`);
    }
  },
  createPath: (scenario) => new IbcPath(scenario),
  criteria: (scenario) => ({ maxHeightSkew: scenario.cosmos.maxHeightSkew }),
  blockTimeMs: (scenario) => scenario.cosmos.blockTimeMs,
  relayer: (scenario) => scenario.ibc.relayer,
  withRelayer: (scenario, relayer) => ({ ...scenario, ibc: { ...scenario.ibc, relayer } }),
});
