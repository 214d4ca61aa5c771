import type { BridgeDefinition } from "../../engine/bridge.ts";
import { LOCALNET_FAULTS } from "../localnets/faults/index.ts";
import { IbcPath } from "./path.ts";

/** ICS-20 transfers between two Cosmos localnets, relayed by rly. */
export const ibc: BridgeDefinition = {
  name: "ibc",
  summary: "ICS-20 transfers between two Cosmos localnets, relayed by rly",
  faults: LOCALNET_FAULTS,
  createPath: (scenario) => new IbcPath(scenario),
  criteria: (scenario) => ({ maxHeightSkew: scenario.cosmos.maxHeightSkew }),
};
