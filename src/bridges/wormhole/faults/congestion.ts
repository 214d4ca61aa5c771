import { encodeFunctionData } from "viem";
import { z } from "zod";
import { ACCOUNT_ROLES, roleKeys } from "../../../../chains/devAccounts.ts";
import { WalletPool } from "../../../../chains/walletPool.ts";
import { gasBurnerAbi } from "../../../../fixtures/contracts/artifacts/index.ts";
import { defineFault } from "../../../load/faultKinds.ts";
import { checkTarget } from "./common.ts";
import type { WormholeFaultTargets } from "./targets.ts";

const shareHint = "must be a share of the block gas limit > 0 (e.g. 0.5, or 1.5 for more demand than fits)";
const gwei = (what: string) => z.number({ error: `must be a number of gwei ${what}` });

/**
 * Every block interval, the background accounts send GasBurner calls worth `share` of the
 * block gas limit, tipping `priorityGwei` with max fee `maxFeeGwei`. anvil picks pending
 * transactions by max fee per gas, so the max fee decides who waits. At the heal they stop
 * sending; whatever they queued beyond the block space still drains, as a real backlog does.
 */
export const congestion = defineFault({
  kind: "congestion",
  models:
    "other accounts send `share` × the block gas limit of gas-burning transactions to chain `target` every block, tipping `priorityGwei` with max fee `maxFeeGwei`; above 1 demand exceeds block space",
  fields: ({ target }) => ({
    target,
    share: z.number({ error: shareHint }).positive({ error: shareHint }).max(10, { error: "must be at most 10 (10 blocks' worth of gas a block)" }),
    priorityGwei: gwei("≥ 0").min(0, { error: "must be a number of gwei ≥ 0" }).default(10),
    // anvil orders pending transactions by max fee per gas (not by effective tip): this is what outbids.
    maxFeeGwei: gwei("> 0").positive({ error: "must be a number of gwei > 0" }).default(100_000),
  }),
  check: (fault, field, scenario, problem) => checkTarget(fault, field, scenario, problem),
  async set(fault, on, targets: WormholeFaultTargets) {
    const running = targets.background.get(fault);
    if (running) {
      clearInterval(running.timer);
      targets.background.delete(fault);
    }
    if (!on) return running ? `${running.sent} background transactions sent, ${running.refused} refused` : undefined;
    const chain = targets.chains?.get(fault.target);
    if (!chain?.gasBurner) throw new Error(`no GasBurner deployed on ${fault.target}`);
    const burner = chain.gasBurner;
    const pool = new WalletPool({
      rpcUrl: chain.rpcUrl,
      chainId: chain.evmChainId,
      privateKeys: roleKeys("background", ACCOUNT_ROLES.background.max),
      maxFeeGwei: fault.maxFeeGwei,
      priorityFeeGwei: fault.priorityGwei,
    });
    await pool.init();
    const perBlock = BigInt(Math.round(Number(chain.gasLimit) * fault.share));
    // Transactions of at most 5 M gas, so several accounts share the load and blocks pack well.
    const count = Number((perBlock + 4_999_999n) / 5_000_000n);
    const gas = perBlock / BigInt(count);
    const data = encodeFunctionData({ abi: gasBurnerAbi, functionName: "burn" });
    const state = { timer: undefined as unknown as NodeJS.Timeout, sent: 0, refused: 0 };
    const tick = () => {
      for (let i = 0; i < count; i++) {
        pool.send(burner, data, gas).then(
          () => state.sent++,
          () => state.refused++,
        );
      }
    };
    tick();
    state.timer = setInterval(tick, chain.blockTimeMs);
    targets.background.set(fault, state);
    return `${count} transactions of ${gas} gas a block`;
  },
});
