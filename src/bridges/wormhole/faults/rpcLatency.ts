import { defineFault } from "../../../load/faultKinds.ts";
import { checkTarget, setToxic } from "./common.ts";
import type { WormholeFaultTargets } from "./targets.ts";

export const rpcLatency = defineFault({
  kind: "rpc-latency",
  models: "every request to `target` (a chain's RPC or the vaa-api) is held `ms` (+ up to `jitterMs`) before it arrives",
  fields: ({ target, ms }) => ({ target, ms: ms(), jitterMs: ms().default(0) }),
  check: (fault, field, scenario, problem) => checkTarget(fault, field, scenario, problem, { vaaApi: true }),
  set: (fault, on, targets: WormholeFaultTargets) =>
    setToxic(targets, fault, on, { stream: "upstream", type: "latency", attributes: { latency: fault.ms, jitter: fault.jitterMs } }),
});
