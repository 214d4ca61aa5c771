import { chainProfile } from "../../../chains/profiles.ts";
import { defineBridge } from "../../engine/bridge.ts";
import { WORMHOLE_FAULTS } from "./faults/index.ts";
import { regionProblems } from "./guardians/regions.ts";
import { WormholePath } from "./path.ts";
import { guardianSettings } from "./guardians/settings.ts";
import { forkBlockProblems, wormholeSection, type WormholeScenario } from "./scenario.ts";

/** Wormhole between anvil EVM chains: the real core contract, in-process guardians, a relayer under test. */
export const wormhole = defineBridge<WormholeScenario>({
  name: "wormhole",
  summary: "EVM chains on anvil, the real Wormhole core contract, guardians and a relayer under test",
  section: wormholeSection,
  search: true,
  files: { integration: "an integration module (a .ts or .js file whose default export is defineIntegration({ ... }))" },
  faults: WORMHOLE_FAULTS,
  // A refused `routes` reads as none: the rules that read it are not reported then.
  routes: (section) => (section.routes ?? []) as WormholeScenario["routes"],
  check(section, problem) {
    for (const p of forkBlockProblems((section as Pick<WormholeScenario, "chains">).chains))
      problem(["chains"], `chains.${p.chain}.forkBlock`, p.forkBlock, p.allowed);
    const { guardianNetwork, guardians } = section as Pick<WormholeScenario, "guardianNetwork" | "guardians">;
    regionProblems(guardianNetwork, guardians, (field, value, allowed) => problem(["guardianNetwork", "guardians"], field, value, allowed));
  },
  createPath: (scenario, runDir) => new WormholePath(scenario, runDir),
  blockTimeMs(scenario) {
    const names = new Set(scenario.routes.flatMap((r) => [r.from, ...r.to]));
    return Math.max(...[...names].map((name) => scenario.chains[name]?.blockTimeMs ?? chainProfile(name).blockTimeMs));
  },
  // The guardians' heartbeat head spread, as the validators' height skew on Cosmos (guardianViews.ts).
  criteria: (scenario) => ({ maxHeightSkew: guardianSettings(scenario.guardianNetwork).maxHeadSpread }),
  relayer: (scenario) => scenario.relayer,
  withRelayer: (scenario, relayer) => ({ ...scenario, relayer }),
});
