import { defineFault } from "../../../load/faultKinds.ts";
import { checkTarget, setToxic } from "./common.ts";
import type { WormholeFaultTargets } from "./targets.ts";

export const rpcTimeout = defineFault({
  kind: "rpc-timeout",
  models: "`target` stops answering; connections close after `ms` (0: never)",
  fields: ({ target, ms }) => ({ target, ms: ms().default(0) }),
  check: (fault, field, scenario, problem) => checkTarget(fault, field, scenario, problem, { vaaApi: true }),
  set: (fault, on, targets: WormholeFaultTargets) => setToxic(targets, fault, on, { type: "timeout", attributes: { timeout: fault.ms } }),
});
