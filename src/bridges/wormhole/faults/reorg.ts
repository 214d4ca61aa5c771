import { z } from "zod";
import { rpc } from "../../../infra/rpc.ts";
import { defineFault } from "../../../load/faultKinds.ts";
import { checkTarget } from "./common.ts";
import type { WormholeFaultTargets } from "./targets.ts";

const blocks = "must be a whole number of blocks ≥ 1";

/**
 * Replaces the chain's last `depth` blocks with empty ones at the same heights (anvil_reorg):
 * their transactions are gone, and nonces and the core's sequences roll back.
 */
export const reorg = defineFault({
  kind: "reorg",
  models:
    "source chain `target` replaces its last `depth` blocks with empty ones (anvil_reorg): their messages are rolled back; instant-level ones guardians already signed are delivered anyway (phantom deliveries)",
  momentary: true,
  fields: ({ target }) => ({ target, depth: z.number({ error: blocks }).int({ error: blocks }).min(1, { error: blocks }) }),
  check: (fault, field, scenario, problem) => checkTarget(fault, field, scenario, problem, { sourceOnly: true }),
  async set(fault, _on, targets: WormholeFaultTargets) {
    const chain = targets.chain(fault.target);
    let replaced = "";
    const run = async () => {
      const head = BigInt(await rpc<string>(chain.rpcUrl, "eth_blockNumber", []));
      const from = head - BigInt(fault.depth) + 1n;
      if (from < 1n) throw new Error(`chain ${fault.target} has only ${head} blocks, fewer than depth ${fault.depth}`);
      await rpc(chain.rpcUrl, "anvil_reorg", [fault.depth, []]);
      replaced = `blocks ${from}–${head} replaced`;
      return from;
    };
    const found = targets.aroundReorg ? await targets.aroundReorg(fault.target, run) : (await run(), "");
    return found ? `${replaced}; ${found}` : replaced;
  },
});
