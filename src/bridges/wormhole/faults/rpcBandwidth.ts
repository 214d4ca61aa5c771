import { z } from "zod";
import { defineFault } from "../../../load/faultKinds.ts";
import { guardianSelector } from "../guardianViews.ts";
import { checkLinkFault, GUARDIANS_SELECTED, setToxic } from "./common.ts";
import type { WormholeFaultTargets } from "./targets.ts";

export const rpcBandwidth = defineFault({
  kind: "rpc-bandwidth",
  models: `\`target\`'s responses are throttled to \`kbps\` kilobytes per second${GUARDIANS_SELECTED}`,
  fields: ({ target }) => ({ target, kbps: z.number({ error: "must be a number of KB/s > 0" }).positive(), guardians: guardianSelector.optional() }),
  check: checkLinkFault,
  set: (fault, on, targets: WormholeFaultTargets) => setToxic(targets, fault, on, { type: "bandwidth", attributes: { rate: fault.kbps } }),
});
