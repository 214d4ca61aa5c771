import { defineFault } from "../../../load/faultKinds.ts";
import type { WormholeFaultTargets } from "./targets.ts";

export const relayerRestart = defineFault({
  kind: "relayer-restart",
  models: "the relayer process is killed with SIGKILL and started again `for` later from its checkpoint",
  fields: () => ({}),
  async set(_fault, on, targets: WormholeFaultTargets) {
    const relayer = targets.relayerProcess;
    if (!relayer) throw new Error("the relayer does not run as its own process in this stack");
    await (on ? relayer.kill() : relayer.start());
    return undefined;
  },
});
