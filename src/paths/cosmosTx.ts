import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { keccak256, toHex, type Hex } from "viem";
import { CosmosLocalnet, cometRpc, DENOM } from "../../chains/cosmos.ts";
import { builtVersion, ensureGoTool } from "../../chains/tools.ts";
import { encodeTrigger } from "../bridge/payload.ts";
import { CheckTxError, CosmosSenders, testAddresses } from "../cosmos/senders.ts";
import type { Scenario } from "../load/scenario.ts";
import type { PlannedMessage } from "../load/schedule.ts";
import { now } from "../measure/clock.ts";
import type { Ledger } from "../measure/ledger.ts";
import type { RunRecorder } from "../report/runReport.ts";
import type { DeliveryPath } from "./path.ts";

/** How often the harness asks validator 0 for new blocks (its observation resolution), ms. */
const OBSERVATION_POLL_MS = 20;
/** How often validator heights are compared for the height skew. */
const SKEW_EVERY_MS = 250;
/** Memo prefix of a trigger transaction; the rest is the v1 payload in hex. */
export const MEMO_PREFIX = "bridge-stress:v1:";

/**
 * Trigger messages delivered to a Cosmos SDK chain as transactions, through CosmJS: a
 * bank send of 1 stake from a sender account to the liquidation engine's account, with the
 * trigger (the same v1 payload the EVM path publishes) in the memo. Delivered = included
 * in a block with code 0; refused in CheckTx (mempool full, …) = dropped with that reason;
 * included with a non-zero code = dropped with reason `deliver-tx: …`.
 */
export class CosmosTxPath implements DeliveryPath {
  readonly limits = { observationPollMs: OBSERVATION_POLL_MS };
  readonly description: string;
  private net: CosmosLocalnet | undefined;
  private senders: CosmosSenders | undefined;
  private engine = "";
  private ledger: Ledger | undefined;
  /** Trigger transactions sent and not yet seen in a block, by tx hash. */
  private readonly pending = new Map<string, { id: number; deadlineMs: number }>();
  private watching = false;
  private watcher: Promise<void> | undefined;
  private skewTimer: NodeJS.Timeout | undefined;
  private nextHeight = 0;

  constructor(private readonly scenario: Scenario) {
    const c = scenario.cosmos;
    this.description = `Cosmos localnet ${c.chainId} (${c.validators} validators, ${c.blockTimeMs} ms commit timeout), ${c.accounts} CosmJS senders`;
  }

  endpoints(): Record<string, string> {
    return Object.fromEntries(this.net?.validators.map((v) => [`${this.scenario.cosmos.chainId}/val${v.index}`, v.rpcUrl]) ?? []);
  }

  versions(): Record<string, string> {
    return { simd: builtVersion("simd") ?? "not built" };
  }

  pids(): number[] {
    return this.net?.validators.flatMap((v) => (v.pid ? [v.pid] : [])) ?? [];
  }

  async start(): Promise<void> {
    await ensureGoTool("simd");
    const c = this.scenario.cosmos;
    const addresses = await testAddresses(c.accounts + 1);
    // The last test account is the liquidation engine that receives every trigger.
    this.engine = addresses.pop()!;
    this.net = new CosmosLocalnet({
      chainId: c.chainId,
      validators: c.validators,
      blockTimeMs: c.blockTimeMs,
      accounts: [...addresses, this.engine],
      maxMemoCharacters: c.maxMemoCharacters,
      mempoolSize: c.mempoolSize,
    });
    await this.net.start();
    this.senders = await CosmosSenders.connect(this.net.rpcUrl, c.chainId, c.accounts);
  }

  async attach(ledger: Ledger, recorder: RunRecorder): Promise<void> {
    this.ledger = ledger;
    const net = this.net!;
    const status = await cometRpc<{ sync_info: { latest_block_height: string } }>(net.rpcUrl, "status");
    this.nextHeight = Number(status.sync_info.latest_block_height) + 1;
    this.watching = true;
    this.watcher = this.watch();
    this.skewTimer = setInterval(() => {
      const at = ledger.elapsed();
      void net.heightSkew().then((skew) => recorder.stats.addHeightSkew(at, skew));
    }, SKEW_EVERY_MS);
  }

  send(m: PlannedMessage): Promise<void> {
    const ledger = this.ledger!;
    const sentAt = now();
    const deadlineMs = Math.round(Date.now() + this.scenario.deadlineMs[m.kind] - (now() - ledger.startedAt - m.intendedAt));
    const payload = encodeTrigger({
      triggerId: BigInt(m.id),
      kind: m.kind,
      positionId: keccak256(toHex(`position-${m.positionSalt}`)),
      account: "0x000000000000000000000000000000000000dEaD",
      price: 2_000n * 10n ** 8n,
      deadlineMs: BigInt(deadlineMs),
      destinationChain: 0,
    });
    const memo = `${MEMO_PREFIX}${toHex(payload).slice(2)}`;
    const messages = (from: string) => [
      { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: from, toAddress: this.engine, amount: [{ denom: DENOM, amount: "1" }] } },
    ];
    return this.senders!.send(messages, memo).then(
      (hash) => {
        this.pending.set(hash, { id: m.id, deadlineMs });
        ledger.sent(m.id, sentAt, `0x${hash.toLowerCase()}` as Hex);
      },
      (err) => {
        if (err instanceof CheckTxError) ledger.refused(m.id, sentAt, err.message);
        else ledger.sendFailed(m.id, sentAt, (err as Error).message);
      },
    );
  }

  async settle(complete: boolean): Promise<void> {
    clearInterval(this.skewTimer);
    if (!complete) return;
    // Take in every block up to the head before judging.
    this.watching = false;
    await this.watcher;
    await this.readBlocks().catch(() => undefined);
  }

  async stop(): Promise<void> {
    clearInterval(this.skewTimer);
    this.watching = false;
    await this.watcher;
    this.senders?.disconnect();
    await this.net?.stop();
  }

  /** Follows validator 0's blocks: every trigger transaction in them is delivered (code 0) or dropped. */
  private async watch(): Promise<void> {
    while (this.watching) {
      await this.readBlocks().catch(() => undefined);
      if (this.watching) await sleep(OBSERVATION_POLL_MS);
    }
  }

  private async readBlocks(): Promise<void> {
    const rpcUrl = this.net!.rpcUrl;
    const status = await cometRpc<{ sync_info: { latest_block_height: string } }>(rpcUrl, "status");
    const head = Number(status.sync_info.latest_block_height);
    const seenAt = now();
    for (; this.nextHeight <= head; this.nextHeight++) {
      const block = await cometRpc<{ block: { header: { time: string }; data: { txs: string[] | null } } }>(rpcUrl, `block?height=${this.nextHeight}`);
      const txs = block.block.data.txs ?? [];
      if (!txs.length) continue;
      const results = await cometRpc<{ txs_results: Array<{ code: number; codespace?: string; log?: string }> | null }>(rpcUrl, `block_results?height=${this.nextHeight}`);
      const blockMs = Date.parse(block.block.header.time);
      txs.forEach((tx, i) => {
        const hash = createHash("sha256").update(Buffer.from(tx, "base64")).digest("hex").toUpperCase();
        const sent = this.pending.get(hash);
        if (!sent) return;
        this.pending.delete(hash);
        const { id, deadlineMs } = sent;
        const result = results.txs_results?.[i];
        if (result && result.code !== 0) {
          this.ledger!.refused(id, seenAt, `deliver-tx: ${result.codespace || "sdk"} code ${result.code}: ${result.log ?? ""}`);
          return;
        }
        // Late as the EVM receiver judges it: the including block's time past the deadline.
        this.ledger!.delivered(id, seenAt, `0x${hash.toLowerCase()}` as Hex, blockMs > deadlineMs);
      });
    }
  }
}
