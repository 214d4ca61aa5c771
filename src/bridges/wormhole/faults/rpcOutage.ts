import { defineFault } from "../../../load/faultKinds.ts";
import { checkTarget } from "./common.ts";
import type { WormholeFaultTargets } from "./targets.ts";

export const rpcOutage = defineFault({
  kind: "rpc-outage",
  models: "`target` refuses every connection",
  fields: ({ target }) => ({ target }),
  check: (fault, field, scenario, problem) => checkTarget(fault, field, scenario, problem, { vaaApi: true }),
  async set(fault, on, targets: WormholeFaultTargets) {
    if (!targets.toxiproxy) throw new Error("no fault proxy in this stack");
    await targets.toxiproxy.setEnabled(fault.target, !on);
    return undefined;
  },
});
