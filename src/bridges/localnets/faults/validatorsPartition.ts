import { defineFault } from "../../../load/faultKinds.ts";
import { checkValidators, lastValidators, localnet, type LocalnetFaultTargets } from "./targets.ts";

export const validatorsPartition = defineFault({
  kind: "validators-partition",
  models:
    "the last `count` validators of Cosmos localnet `target` are cut off from the others (their p2p links through the fault proxy go down) and reconnected `for` later",
  fields: ({ target, count }) => ({ target, count }),
  check: checkValidators,
  async set(fault, on, targets: LocalnetFaultTargets) {
    const net = localnet(targets, fault.target);
    const hit = lastValidators(net, fault.count);
    await net.cutOff(
      hit.map((v) => v.index),
      on,
    );
    return `${hit.map((v) => v.name).join(", ")} ${on ? "cut off from" : "reconnected to"} the others`;
  },
});
