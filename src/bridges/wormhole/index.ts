import type { BridgeDefinition } from "../../engine/bridge.ts";
import { WORMHOLE_FAULTS } from "./faults/index.ts";
import { WormholePath } from "./path.ts";

/** Wormhole between anvil EVM chains: the real core contract, in-process guardians, a relayer under test. */
export const wormhole: BridgeDefinition = {
  name: "wormhole",
  summary: "Wormhole between EVM chains (anvil), the real core contract, guardians and a relayer under test",
  faults: WORMHOLE_FAULTS,
  createPath: (scenario, runDir) => new WormholePath(scenario, runDir),
};
