import { z } from "zod";
import { rpc } from "../../../infra/rpc.ts";
import { defineFault } from "../../../load/faultKinds.ts";
import { checkTarget } from "./common.ts";
import type { WormholeFaultTargets } from "./targets.ts";

export const gasSpike = defineFault({
  kind: "gas-spike",
  models: "chain `target`'s base fee is held at `gwei`",
  fields: ({ target }) => ({ target, gwei: z.number({ error: "must be a number of gwei > 0" }).positive() }),
  check: (fault, field, scenario, problem) => checkTarget(fault, field, scenario, problem),
  async set(fault, on, targets: WormholeFaultTargets) {
    const chain = targets.chain(fault.target);
    clearInterval(targets.holders.get(fault));
    targets.holders.delete(fault);
    if (!on) return undefined; // the base fee falls back by itself, 12.5 % a block, as on Ethereum
    const fee = `0x${BigInt(Math.round(fault.gwei * 1e9)).toString(16)}`;
    const hold = () => rpc(chain.rpcUrl, "anvil_setNextBlockBaseFeePerGas", [fee]).catch(() => undefined);
    await hold();
    targets.holders.set(fault, setInterval(hold, Math.max(20, chain.blockTimeMs / 4)));
    return undefined;
  },
});
