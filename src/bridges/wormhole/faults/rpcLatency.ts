import { defineFault } from "../../../load/faultKinds.ts";
import { guardianSelector } from "../guardianViews.ts";
import { checkLinkFault, GUARDIANS_SELECTED, setToxic } from "./common.ts";
import type { WormholeFaultTargets } from "./targets.ts";

export const rpcLatency = defineFault({
  kind: "rpc-latency",
  models: `every request to \`target\` (a chain's RPC or the vaa-api) is held \`ms\` (+ up to \`jitterMs\`) before it arrives${GUARDIANS_SELECTED}`,
  fields: ({ target, ms }) => ({ target, ms: ms(), jitterMs: ms().default(0), guardians: guardianSelector.optional() }),
  check: checkLinkFault,
  set: (fault, on, targets: WormholeFaultTargets) =>
    setToxic(targets, fault, on, { stream: "upstream", type: "latency", attributes: { latency: fault.ms, jitter: fault.jitterMs } }),
});
