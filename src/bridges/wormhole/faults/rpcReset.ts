import { defineFault } from "../../../load/faultKinds.ts";
import { checkTarget, setToxic } from "./common.ts";
import type { WormholeFaultTargets } from "./targets.ts";

export const rpcReset = defineFault({
  kind: "rpc-reset",
  models: "connections to `target` are reset (TCP RST) `ms` after they open",
  fields: ({ target, ms }) => ({ target, ms: ms().default(0) }),
  check: (fault, field, scenario, problem) => checkTarget(fault, field, scenario, problem, { vaaApi: true }),
  set: (fault, on, targets: WormholeFaultTargets) => setToxic(targets, fault, on, { type: "reset_peer", attributes: { timeout: fault.ms } }),
});
