import type { Hex } from "viem";
import { english, generateMnemonic } from "viem/accounts";
import { CometWatcher, type CometBlock } from "../../../chains/cometWatcher.ts";
import { CosmosLocalnet, DENOM } from "../../../chains/cosmos.ts";
import { builtVersion, ensureGoTool } from "../../../chains/tools.ts";
import { PAYLOAD_HEADER_BYTES } from "../../load/payload.ts";
import { CosmosSenders, testAddresses } from "../localnets/senders.ts";
import type { IbcScenario } from "./scenario.ts";
import type { PlannedMessage } from "../../load/schedule.ts";
import { now } from "../../infra/clock.ts";
import type { Ledger } from "../../measure/ledger.ts";
import { loadRlyPreset, Rly } from "./rly.ts";
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

const OBSERVATION_POLL_MS = 20;

interface Received {
  at: number;
  txHash: string;
  blockMs: number;
  /** The ICS-20 acknowledgement was an error (the transfer failed on the destination). */
  error?: string;
}

/**
 * IBC between two Cosmos localnets: each trigger is an ICS-20 transfer of 1 stake from a
 * sender on the source chain to the liquidation engine's account on the destination, with
 * the trigger in the memo, relayed by rly (the relayer under test, an external process).
 * Per message: source inclusion (send_packet), packet received on the destination
 * (recv_packet: the delivery), acknowledgement back on the source (acknowledge_packet:
 * final). A packet timed out on the source (timeout_packet) is dropped as `ibc-timeout`,
 * an error acknowledgement as `ibc-ack-error: …`.
 */
export class IbcPath implements DeliveryPath {
  readonly limits: HarnessLimits = { observationPollMs: OBSERVATION_POLL_MS };
  readonly description: string;
  private source: CosmosLocalnet | undefined;
  private destination: CosmosLocalnet | undefined;
  private rly: Rly | undefined;
  private proxy: Toxiproxy | undefined;
  private senders: CosmosSenders | undefined;
  private engine = "";
  private ledger: Ledger | undefined;
  private watchers: CometWatcher[] = [];
  private monitor: LocalnetMonitor | undefined;
  /** Sent transfers not yet seen in a source block, by tx hash. */
  private readonly pending = new Map<string, { id: number; deadlineMs: number }>();
  /** Packets by sequence on the source channel. */
  private readonly packets = new Map<string, { id: number; deadlineMs: number; received?: Received }>();
  /** Receipts seen before their send_packet was read (the two chains are read independently). */
  private readonly early = new Map<string, Received>();

  constructor(private readonly scenario: IbcScenario) {
    const { cosmos: c, ibc } = scenario;
    this.description = `IBC ${c.chainId} → ${ibc.destinationChainId} (${c.validators} validators each), rly preset "${ibc.relayer}", ${c.accounts} CosmJS senders`;
  }

  endpoints(): Record<string, string> {
    return localnetEndpoints([this.source, this.destination]);
  }

  versions(): Record<string, string> {
    return { simd: builtVersion("simd") ?? "not built", rly: builtVersion("rly") ?? "not built", rlyPreset: this.scenario.ibc.relayer };
  }

  pids(): number[] {
    return localnetPids([this.source, this.destination], [this.rly, this.proxy]);
  }

  async start(): Promise<void> {
    await ensureGoTool("simd");
    await ensureGoTool("rly");
    this.proxy = await p2pProxyFor(this.scenario);
    const { cosmos: c, ibc } = this.scenario;
    const preset = loadRlyPreset(ibc.relayer);
    // TEST-ONLY: a fresh mnemonic per run for the relayer's account, funded on both chains.
    const relayerMnemonic = generateMnemonic(english);
    const [relayer] = await testAddresses(1, 0, relayerMnemonic);
    const addresses = await testAddresses(c.accounts + 1);
    this.engine = addresses.pop()!;
    const localnet = (chainId: string) =>
      new CosmosLocalnet({
        chainId,
        validators: c.validators,
        blockTimeMs: c.blockTimeMs,
        accounts: [...addresses, this.engine, relayer!],
        maxMemoCharacters: c.maxMemoCharacters,
        mempoolSize: c.mempoolSize,
        p2pProxy: this.proxy,
      });
    this.source = localnet(c.chainId);
    this.destination = localnet(ibc.destinationChainId);
    await Promise.all([this.source.start(), this.destination.start()]);
    this.rly = new Rly(preset, [this.source, this.destination], relayerMnemonic);
    await this.rly.start();
    this.senders = await CosmosSenders.connect(this.source.rpcUrl, c.chainId, c.accounts);
  }

  async attach(ledger: Ledger, recorder: RunRecorder): Promise<void> {
    this.ledger = ledger;
    this.watchers = [
      new CometWatcher(this.source!.rpcUrl, (block, seenAt) => this.onSourceBlock(block, seenAt), OBSERVATION_POLL_MS),
      new CometWatcher(this.destination!.rpcUrl, (block, seenAt) => this.onDestinationBlock(block, seenAt), OBSERVATION_POLL_MS),
    ];
    await Promise.all(this.watchers.map((w) => w.start()));
    // Both chains' validators: the larger skew counts.
    this.monitor = new LocalnetMonitor([this.source!, this.destination!], this.scenario);
    this.monitor.start(ledger, recorder);
  }

  /** Per message this process signs one MsgTransfer (CosmJS): the harness's CPU ceiling on one core; rly is measured as the bridge. */
  async measureCeiling(): Promise<void> {
    this.limits.ceilingMsgsPerS = await this.senders!.signingRate((from) => this.transfer(from, `${MEMO_PREFIX}${"00".repeat(PAYLOAD_HEADER_BYTES)}`), "", 300);
    this.limits.ceilingWhat = "CosmJS signature of each MsgTransfer, one core";
  }

  /** An ICS-20 transfer of 1 stake to the engine on the destination, the trigger in the packet memo. */
  private transfer(from: string, memo: string) {
    return [
      {
        typeUrl: "/ibc.applications.transfer.v1.MsgTransfer",
        value: {
          sourcePort: "transfer",
          sourceChannel: this.rly!.channels!.source,
          token: { denom: DENOM, amount: "1" },
          sender: from,
          receiver: this.engine,
          timeoutHeight: { revisionNumber: 0n, revisionHeight: 0n },
          timeoutTimestamp: BigInt(Date.now() + this.scenario.ibc.timeoutMs) * 1_000_000n,
          memo,
        },
      },
    ];
  }

  send(m: PlannedMessage): Promise<void> {
    const sentAt = now();
    const { memo, deadlineMs } = triggerMemo(this.scenario, this.ledger!, m);
    return recordSend(
      this.senders!.send((from) => this.transfer(from, memo), ""),
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
    await this.rly?.settle();
    for (const w of this.watchers) await w.sweep();
    await Promise.all(this.watchers.map((w) => w.stop()));
    dropWhileHalted(this.ledger!, halted);
    // Packets still open (no acknowledgement, no timeout): the engine's stall reasons are the
    // Wormhole path's hops (a packet in a source block would read no-quorum), so they are said here.
    const destination = this.scenario.ibc.destinationChainId;
    for (const { id, received } of this.packets.values()) {
      const detail = received ? `received on ${destination}, acknowledgement not relayed back` : `not received on ${destination}, no timeout proven`;
      this.ledger!.refused(id, now(), { code: "ibc-packet-pending", detail });
    }
  }

  async stop(): Promise<void> {
    await this.monitor?.stop();
    await Promise.all(this.watchers.map((w) => w.stop()));
    this.senders?.disconnect();
    await this.rly?.stop();
    await Promise.all([this.source?.stop(), this.destination?.stop()]);
    await this.proxy?.stop();
  }

  /** Our transfers (send_packet), and acknowledgements and timeouts rly brought back. */
  private onSourceBlock(block: CometBlock, seenAt: number): void {
    const ledger = this.ledger!;
    const channel = this.rly!.channels!.source;
    for (const tx of block.txs) {
      const sent = this.pending.get(tx.hash);
      if (sent) {
        this.pending.delete(tx.hash);
        if (tx.code !== 0) {
          ledger.refused(sent.id, seenAt, { code: "deliver-tx", detail: `${tx.codespace || "sdk"} code ${tx.code}: ${tx.log}` });
          continue;
        }
        for (const e of tx.events) {
          if (e.type !== "send_packet" || e.attributes.packet_src_channel !== channel) continue;
          const sequence = e.attributes.packet_sequence!;
          this.packets.set(sequence, { ...sent, received: this.early.get(sequence) });
          this.early.delete(sequence);
          ledger.sourceIncluded(sent.id, `ibc/${channel}/${sequence}`, seenAt);
        }
        continue;
      }
      if (tx.code !== 0) continue;
      for (const e of tx.events) {
        if (e.attributes.packet_src_channel !== channel) continue;
        const sequence = e.attributes.packet_sequence!;
        const packet = this.packets.get(sequence);
        if (!packet) continue;
        if (e.type === "acknowledge_packet") {
          this.packets.delete(sequence);
          const r = packet.received;
          if (r?.error) ledger.refused(packet.id, seenAt, { code: "ibc-ack-error", detail: r.error });
          else if (r) ledger.delivered(packet.id, r.at, `0x${r.txHash.toLowerCase()}` as Hex, r.blockMs > packet.deadlineMs, seenAt);
          // An acknowledgement whose receipt was never read: the destination's watcher missed it.
          else ledger.refused(packet.id, seenAt, { code: "ibc-acknowledged-without-receipt" });
        } else if (e.type === "timeout_packet") {
          this.packets.delete(sequence);
          ledger.refused(packet.id, seenAt, { code: "ibc-timeout" });
        }
      }
    }
  }

  /** Packets rly delivered (recv_packet) and the acknowledgement the destination wrote. */
  private onDestinationBlock(block: CometBlock, seenAt: number): void {
    const channel = this.rly!.channels!.source;
    for (const tx of block.txs) {
      if (tx.code !== 0) continue;
      const acks = new Map<string, string>();
      for (const e of tx.events)
        if (e.type === "write_acknowledgement" && e.attributes.packet_src_channel === channel)
          acks.set(e.attributes.packet_sequence!, e.attributes.packet_ack ?? "");
      for (const e of tx.events) {
        if (e.type !== "recv_packet" || e.attributes.packet_src_channel !== channel) continue;
        const sequence = e.attributes.packet_sequence!;
        const ack = acks.get(sequence) ?? "";
        const error = /"error"\s*:\s*"([^"]*)"/.exec(ack)?.[1];
        const received: Received = { at: seenAt, txHash: tx.hash, blockMs: block.timeMs, ...(error !== undefined ? { error } : {}) };
        const packet = this.packets.get(sequence);
        if (packet) packet.received ??= received;
        else if (!this.early.has(sequence)) this.early.set(sequence, received);
      }
    }
  }
}
