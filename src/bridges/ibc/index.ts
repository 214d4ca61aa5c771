import type { BridgeDefinition } from "../../engine/bridge.ts";
import { IbcPath } from "./path.ts";

/** ICS-20 transfers between two Cosmos localnets, relayed by rly. */
export const ibc: BridgeDefinition = {
  name: "ibc",
  summary: "ICS-20 transfers between two Cosmos localnets, relayed by rly",
  createPath: (scenario) => new IbcPath(scenario),
  criteria: (scenario) => ({ maxHeightSkew: scenario.cosmos.maxHeightSkew }),
};
