import type { BridgeDefinition } from "../engine/bridge.ts";
import type { Bridge } from "../load/scenario.ts";
import { cosmosTx } from "./cosmos-tx/index.ts";
import { ibc } from "./ibc/index.ts";
import { wormhole } from "./wormhole/index.ts";

/** Every bridge a scenario can name, by its `bridge` value: adding a bridge is its folder plus one line here. */
export const BRIDGES: Record<Bridge, BridgeDefinition> = { wormhole, cosmos: cosmosTx, ibc };

/** The bridge a scenario runs on. */
export function bridgeOf(scenario: { bridge: Bridge }): BridgeDefinition {
  return BRIDGES[scenario.bridge];
}
