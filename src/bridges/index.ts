import type { BridgeDefinition } from "../engine/bridge.ts";
import type { Scenario } from "../load/scenario.ts";
import { cosmosTx } from "./cosmos-tx/index.ts";
import { ibc } from "./ibc/index.ts";
import { wormhole } from "./wormhole/index.ts";

/**
 * Every bridge a scenario can name, by its `bridge` value, the default first: adding a bridge
 * is its folder plus one line here.
 */
// biome-ignore lint/suspicious/noExplicitAny: each bridge takes its own scenario type; the parse checked it against the bridge's section
export const BRIDGES: Record<string, BridgeDefinition<any>> = { wormhole, cosmos: cosmosTx, ibc };

/** The bridge a scenario (or a run's manifest config, where an old one may lack `bridge`) runs on. */
export function bridgeOf(scenario: Pick<Scenario, "bridge"> | { bridge?: string }): BridgeDefinition<Scenario> {
  const bridge = BRIDGES[scenario.bridge ?? "wormhole"];
  if (!bridge) throw new Error(`bridge "${scenario.bridge}" is not registered; registered: ${Object.keys(BRIDGES).join(", ")}`);
  return bridge;
}
