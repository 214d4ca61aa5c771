import type { Hex } from "viem";
import { CometWatcher, type CometBlock } from "../../../chains/cometWatcher.ts";
import { CosmosLocalnet, DENOM } from "../../../chains/cosmos.ts";
import { builtVersion, ensureGoTool } from "../../../chains/tools.ts";
import { PAYLOAD_HEADER_BYTES } from "../../load/payload.ts";
import { CosmosSenders, testAddresses } from "../localnets/senders.ts";
import type { CosmosScenario } from "../localnets/scenario.ts";
import type { PlannedMessage } from "../../load/schedule.ts";
import { now } from "../../infra/clock.ts";
import type { Ledger } from "../../measure/ledger.ts";
import type { HarnessLimits, RunRecorder } from "../../report/runReport.ts";
import type { DeliveryPath } from "../../engine/bridge.ts";
import {
  dropWhileHalted,
  LocalnetMonitor,
  localnetEndpoints,
  localnetPids,
  MEMO_PREFIX,
  p2pProxyFor,
  recordSend,
  triggerMemo,
} from "../localnets/localnets.ts";
import type { Toxiproxy } from "../../../chains/toxiproxy.ts";

/** How often the harness asks validator 0 for new blocks (its observation resolution), ms. */
const OBSERVATION_POLL_MS = 20;

/**
 * Trigger messages delivered to a Cosmos SDK chain as transactions, through CosmJS: a
 * bank send of 1 stake from a sender account to the liquidation engine's account, with the
 * trigger (the same v1 payload the EVM path publishes) in the memo. Delivered = included
 * in a block with code 0; refused in CheckTx (mempool full, …) = dropped with that reason;
 * included with a non-zero code = dropped with reason `deliver-tx: …`.
 */
export class CosmosTxPath implements DeliveryPath {
  readonly limits: HarnessLimits = { observationPollMs: OBSERVATION_POLL_MS };
  readonly description: string;
  private net: CosmosLocalnet | undefined;
  private proxy: Toxiproxy | undefined;
  private senders: CosmosSenders | undefined;
  private engine = "";
  private ledger: Ledger | undefined;
  /** Trigger transactions sent and not yet seen in a block, by tx hash. */
  private readonly pending = new Map<string, { id: number; deadlineMs: number }>();
  private watcher: CometWatcher | undefined;
  private monitor: LocalnetMonitor | undefined;

  constructor(private readonly scenario: CosmosScenario) {
    const c = scenario.cosmos;
    this.description = `Cosmos localnet ${c.chainId} (${c.validators} validators, ${c.blockTimeMs} ms commit timeout), ${c.accounts} CosmJS senders`;
  }

  endpoints(): Record<string, string> {
    return localnetEndpoints([this.net]);
  }

  versions(): Record<string, string> {
    return { simd: builtVersion("simd") ?? "not built" };
  }

  pids(): number[] {
    return localnetPids([this.net], [this.proxy]);
  }

  async start(): Promise<void> {
    await ensureGoTool("simd");
    this.proxy = await p2pProxyFor(this.scenario);
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
      p2pProxy: this.proxy,
    });
    await this.net.start();
    this.senders = await CosmosSenders.connect(this.net.rpcUrl, c.chainId, c.accounts);
  }

  async attach(ledger: Ledger, recorder: RunRecorder): Promise<void> {
    this.ledger = ledger;
    const net = this.net!;
    this.watcher = new CometWatcher(net.rpcUrl, (block, seenAt) => this.onBlock(block, seenAt), OBSERVATION_POLL_MS);
    await this.watcher.start();
    this.monitor = new LocalnetMonitor([net], this.scenario);
    this.monitor.start(ledger, recorder);
  }

  /** Per message this process signs one transaction (CosmJS): the harness's CPU ceiling on one core. */
  async measureCeiling(): Promise<void> {
    const memo = `${MEMO_PREFIX}${"00".repeat(PAYLOAD_HEADER_BYTES)}`;
    this.limits.ceilingMsgsPerS = await this.senders!.signingRate((from) => this.transfer(from), memo, 300);
    this.limits.ceilingWhat = "CosmJS signature of each trigger transaction, one core";
  }

  private transfer(from: string) {
    return [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: from, toAddress: this.engine, amount: [{ denom: DENOM, amount: "1" }] } }];
  }

  send(m: PlannedMessage): Promise<void> {
    const sentAt = now();
    const { memo, deadlineMs } = triggerMemo(this.scenario, this.ledger!, m);
    return recordSend(
      this.senders!.send((from) => this.transfer(from), memo),
      this.ledger!,
      this.pending,
      m.id,
      deadlineMs,
      sentAt,
    );
  }

  async settle(complete: boolean): Promise<void> {
    const halted = this.monitor?.halted() ?? [];
    await this.monitor?.stop();
    if (!complete) return;
    // Take in every block up to the head before judging.
    await this.watcher?.sweep();
    await this.watcher?.stop();
    dropWhileHalted(this.ledger!, halted);
  }

  async stop(): Promise<void> {
    await this.monitor?.stop();
    await this.watcher?.stop();
    this.senders?.disconnect();
    await this.net?.stop();
    await this.proxy?.stop();
  }

  /** Every trigger transaction in a block of validator 0 is delivered (code 0) or dropped. */
  private onBlock(block: CometBlock, seenAt: number): void {
    for (const tx of block.txs) {
      const sent = this.pending.get(tx.hash);
      if (!sent) continue;
      this.pending.delete(tx.hash);
      if (tx.code !== 0) {
        this.ledger!.refused(sent.id, seenAt, { code: "deliver-tx", detail: `${tx.codespace || "sdk"} code ${tx.code}: ${tx.log}` });
        continue;
      }
      // Late as the EVM receiver judges it: the including block's time past the deadline.
      this.ledger!.delivered(sent.id, seenAt, `0x${tx.hash.toLowerCase()}` as Hex, block.timeMs > sent.deadlineMs);
    }
  }
}
