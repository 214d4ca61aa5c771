import { defineFault } from "../../../load/faultKinds.ts";
import { guardianSelector } from "../guardianViews.ts";
import { checkLinkFault, GUARDIANS_SELECTED, linkProxies } from "./common.ts";
import type { WormholeFaultTargets } from "./targets.ts";

export const rpcOutage = defineFault({
  kind: "rpc-outage",
  models: `\`target\` refuses every connection${GUARDIANS_SELECTED}`,
  fields: ({ target }) => ({ target, guardians: guardianSelector.optional() }),
  check: checkLinkFault,
  async set(fault, on, targets: WormholeFaultTargets) {
    if (!targets.toxiproxy) throw new Error("no fault proxy in this stack");
    for (const proxy of linkProxies(targets, fault)) await targets.toxiproxy.setEnabled(proxy, !on);
    return undefined;
  },
});
