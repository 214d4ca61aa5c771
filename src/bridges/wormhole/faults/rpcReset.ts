import { defineFault } from "../../../load/faultKinds.ts";
import { guardianSelector } from "../guardianViews.ts";
import { checkLinkFault, GUARDIANS_SELECTED, setToxic } from "./common.ts";
import type { WormholeFaultTargets } from "./targets.ts";

export const rpcReset = defineFault({
  kind: "rpc-reset",
  models: `connections to \`target\` are reset (TCP RST) \`ms\` after they open${GUARDIANS_SELECTED}`,
  fields: ({ target, ms }) => ({ target, ms: ms().default(0), guardians: guardianSelector.optional() }),
  check: checkLinkFault,
  set: (fault, on, targets: WormholeFaultTargets) => setToxic(targets, fault, on, { type: "reset_peer", attributes: { timeout: fault.ms } }),
});
