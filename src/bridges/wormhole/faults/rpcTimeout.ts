import { defineFault } from "../../../load/faultKinds.ts";
import { guardianSelector } from "../guardianViews.ts";
import { checkLinkFault, GUARDIANS_SELECTED, setToxic } from "./common.ts";
import type { WormholeFaultTargets } from "./targets.ts";

export const rpcTimeout = defineFault({
  kind: "rpc-timeout",
  models: `\`target\` stops answering; connections close after \`ms\` (0: never)${GUARDIANS_SELECTED}`,
  fields: ({ target, ms }) => ({ target, ms: ms().default(0), guardians: guardianSelector.optional() }),
  check: checkLinkFault,
  set: (fault, on, targets: WormholeFaultTargets) => setToxic(targets, fault, on, { type: "timeout", attributes: { timeout: fault.ms } }),
});
