import { defineFault } from "../../../load/faultKinds.ts";
import { checkValidators, lastValidators, localnet, type LocalnetFaultTargets } from "./targets.ts";

export const validatorsOffline = defineFault({
  kind: "validators-offline",
  models: "the last `count` validators of Cosmos localnet `target` are stopped and started again `for` later; with more than a third down the chain halts",
  fields: ({ target, count }) => ({ target, count }),
  check: checkValidators,
  async set(fault, on, targets: LocalnetFaultTargets) {
    const hit = lastValidators(localnet(targets, fault.target), fault.count);
    await Promise.all(hit.map((v) => (on ? v.stop() : v.start())));
    return `${hit.map((v) => v.name).join(", ")} ${on ? "stopped" : "started"}`;
  },
});
