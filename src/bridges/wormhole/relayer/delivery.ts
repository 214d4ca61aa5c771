import type { EventEmitter } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { bytesToHex, parseGwei, type Address, type Hex, type Log } from "viem";
import { ReceiptTracker, type Inclusion } from "../../../../chains/receiptTracker.ts";
import { WalletPool, type Fees, type Ticket } from "../../../../chains/walletPool.ts";
import { rpc } from "../../../infra/rpc.ts";
import type { TriggerKind } from "../../../measure/kinds.ts";
import type { LoadedIntegration } from "../integrationLoader.ts";
import { now } from "../../../infra/clock.ts";
import type { ReferenceRelayerConfig } from "./config.ts";
import { LaneLimit } from "./lanes.ts";
import type { RelayerEndpoints, RelayerEventMap, VaaKey } from "./relayer.ts";
import { messageOf } from "../../../infra/errors.ts";

export interface Destination {
  receiver: Address;
  rpcUrl: string;
  wallets: WalletPool;
  receipts: ReceiptTracker;
  /** Latest base fee read (eip1559 gas strategy), shared by submissions for a moment. */
  baseFee?: { value: Promise<bigint>; at: number };
  /** Signed VAAs waiting to go out together (batchSize > 1). */
  batch?: { items: BatchItem[]; timer: NodeJS.Timeout | undefined };
}

interface BatchItem {
  key: VaaKey;
  vaa: Uint8Array;
  lane: number;
  done: () => void;
}

/** Most gas one batch transaction asks for (blocks hold 30 M). */
const MAX_BATCH_GAS = 25_000_000;

/** Submission lanes with priority lanes on: liquidation triggers first, spam last. */
const LANES: Record<TriggerKind, number> = { liquidation: 0, cancel: 1, order: 2, spam: 3 };

/** How long one base-fee reading is used, ms. */
const BASE_FEE_TTL_MS = 100;

/**
 * The reference relayer's delivery: submits signed VAAs to each destination's receiver from
 * several wallets with local nonces — optionally liquidation triggers first (priority lanes),
 * batched, priced fixed or from the base fee, replaced with higher fees when stuck, retried
 * with exponential backoff.
 */
export class Delivery {
  /** Per destination Wormhole chain id. */
  readonly destinations = new Map<number, Destination>();
  private readonly submitLimit: LaneLimit;
  /** The preset's max-fee cap and tip, wei per gas. */
  private readonly pricing: { cap: bigint; maxPriorityFeePerGas: bigint };
  /** Inclusion waits under way: release() wakes them, or they would sleep until their timeout. */
  private readonly waits = new Set<AbortController>();

  /** `running` is false once the relayer stops: submissions under way then end without retrying. */
  constructor(
    private readonly config: ReferenceRelayerConfig,
    /** Encodes the receiver's calls and says which rejections are duplicates. */
    private readonly integration: LoadedIntegration,
    private readonly events: EventEmitter<RelayerEventMap>,
    private readonly log: (line: string) => void,
    private readonly running: () => boolean,
  ) {
    this.submitLimit = new LaneLimit(config.concurrency, config.priorityLanes ? 4 : 1);
    const cap = parseGwei(String(config.maxFeeGwei));
    const tip = parseGwei(String(config.priorityFeeGwei));
    // biome-ignore lint/complexity/useMathMinMax: bigints, which Math.min does not take
    this.pricing = { cap, maxPriorityFeePerGas: tip < cap ? tip : cap };
  }

  /** Opens a destination's wallets and receipt tracker; it is kept (and closed by close()) even if opening fails. */
  async open(d: RelayerEndpoints["destinations"][number], keys: Hex[]): Promise<void> {
    // Every submission names its fees (see fees()): the pool's own defaults are not used.
    const wallets = new WalletPool({ rpcUrl: d.rpcUrl, chainId: d.evmChainId, privateKeys: keys });
    const receipts = new ReceiptTracker(d.rpcUrl);
    this.destinations.set(d.wormholeChainId, { receiver: d.receiver, rpcUrl: d.rpcUrl, wallets, receipts });
    await Promise.all([wallets.init(), receipts.start()]);
  }

  /** Submits one signed VAA, on its own or in its destination's next batch; resolves once it is done with. */
  deliver(key: VaaKey, vaa: Uint8Array, destination: Destination, kind: TriggerKind): Promise<void> {
    return this.config.batchSize > 1
      ? new Promise<void>((done) => this.enqueue(destination, { key, vaa, lane: LANES[kind], done }))
      : this.submitLimit.run(LANES[kind], () => this.submit(key, vaa, destination));
  }

  /** Wakes the inclusion waits and lets go of the batches not sent yet (their VAAs stay pending in the checkpoint). */
  release(): void {
    for (const wait of this.waits) wait.abort();
    for (const { batch } of this.destinations.values()) {
      clearTimeout(batch?.timer);
      for (const item of batch?.items.splice(0) ?? []) item.done();
    }
  }

  /** Stops the destinations' receipt trackers (a start after it opens them anew). */
  async close(): Promise<void> {
    await Promise.all([...this.destinations.values()].map((d) => d.receipts.stop()));
  }

  private async submit(key: VaaKey, vaa: Uint8Array, destination: Destination): Promise<void> {
    const data = this.integration.deliver(bytesToHex(vaa));
    let lastReason = "not attempted";
    for (let attempt = 1; attempt <= this.config.maxAttempts && this.running(); attempt++) {
      if (attempt > 1) await sleep(this.config.backoffMs * 2 ** (attempt - 2));
      let ticket: Ticket;
      try {
        ticket = await destination.wallets.sendTicket(destination.receiver, data, BigInt(this.config.gasLimit), 0n, await this.fees(destination));
      } catch (err) {
        lastReason = `send failed: ${messageOf(err)}`;
        continue;
      }
      this.events.emit("submitted", { key, at: now(), txHash: ticket.hash, attempt });
      const { included, hashes } = await this.inclusion(key, destination, ticket);
      if (included?.success) return;
      if (!included && (await this.minedAnyway(destination, hashes))) return;
      lastReason = included ? await this.revertReason(destination, data) : "not included before the receipt timeout";
      if (included && this.integration.alreadyDelivered(lastReason)) {
        this.events.emit("duplicate", { key, at: now(), txHash: included?.txHash ?? ticket.hash });
        return;
      }
    }
    this.events.emit("gaveUp", { key, at: now(), reason: lastReason });
  }

  /** Adds a VAA to its destination's batch; the batch leaves when full or batchWaitMs after its first VAA. */
  private enqueue(destination: Destination, item: BatchItem): void {
    const batch = (destination.batch ??= { items: [], timer: undefined });
    batch.items.push(item);
    if (batch.items.length >= this.config.batchSize) this.flush(destination);
    else batch.timer ??= setTimeout(() => this.flush(destination), this.config.batchWaitMs);
  }

  private flush(destination: Destination): void {
    const batch = destination.batch!;
    clearTimeout(batch.timer);
    batch.timer = undefined;
    const items = batch.items.splice(0, this.config.batchSize);
    if (batch.items.length) batch.timer = setTimeout(() => this.flush(destination), this.config.batchWaitMs);
    if (!items.length) return;
    // A batch goes in the lane of its most urgent message.
    const lane = Math.min(...items.map((i) => i.lane));
    void this.submitLimit
      .run(lane, () => this.submitBatch(destination, items))
      .catch((err) => this.log(`batch of ${items.length}: ${(err as Error).message}`))
      .finally(() => {
        for (const i of items) i.done();
      });
  }

  /**
   * Delivers a batch in one transaction through the integration's deliverBatch. The receiver
   * reports each VAA it rejects (deliverBatch.rejected): an "already delivered" one is a
   * duplicate, any other is submitted again on its own; so is the whole batch when its
   * transaction fails or is not included.
   */
  private async submitBatch(destination: Destination, items: BatchItem[]): Promise<void> {
    // The stack refuses a batching preset for an integration without deliverBatch.
    const data = this.integration.deliverBatch(items.map((i) => bytesToHex(i.vaa)))!;
    const gas = BigInt(Math.min(this.config.gasLimit * items.length, MAX_BATCH_GAS));
    const oneByOne = (retry: BatchItem[]) => Promise.all(retry.map((i) => this.submit(i.key, i.vaa, destination)));
    let ticket: Ticket;
    try {
      ticket = await destination.wallets.sendTicket(destination.receiver, data, gas, 0n, await this.fees(destination));
    } catch (err) {
      this.log(`batch of ${items.length}: send failed: ${(err as Error).message}`);
      await oneByOne(items);
      return;
    }
    for (const { key } of items) this.events.emit("submitted", { key, at: now(), txHash: ticket.hash, attempt: 1 });
    const { included } = await this.inclusion(`batch of ${items.length}`, destination, ticket);
    if (!included?.success) {
      if (this.running()) await oneByOne(items);
      return;
    }
    const receipt = await rpc<{ logs: Log[] }>(destination.rpcUrl, "eth_getTransactionReceipt", [included.txHash]);
    const retry: BatchItem[] = [];
    for (const rejected of this.integration.rejections(receipt.logs)) {
      const item = items[rejected.index];
      if (!item) continue;
      if (this.integration.alreadyDelivered(rejected.reason)) this.events.emit("duplicate", { key: item.key, at: now(), txHash: included.txHash });
      else retry.push(item);
    }
    await oneByOne(retry);
  }

  /** Fees of a new submission under the preset's gas strategy. */
  private async fees(destination: Destination): Promise<Fees> {
    const { cap, maxPriorityFeePerGas } = this.pricing;
    if (this.config.gasStrategy === "fixed") return { maxFeePerGas: cap, maxPriorityFeePerGas };
    const t = now();
    if (!destination.baseFee || t - destination.baseFee.at > BASE_FEE_TTL_MS) {
      const value = rpc<{ baseFeePerGas?: Hex }>(destination.rpcUrl, "eth_getBlockByNumber", ["latest", false]).then((b) => BigInt(b.baseFeePerGas ?? 0));
      destination.baseFee = { value, at: t };
      value.catch(() => (destination.baseFee = undefined));
    }
    const baseFee = await destination.baseFee.value;
    // Integer arithmetic on a multiplier with two decimals.
    const wanted = (baseFee * BigInt(Math.round(this.config.feeMultiplier * 100))) / 100n + maxPriorityFeePerGas;
    return { maxFeePerGas: wanted < cap ? wanted : cap, maxPriorityFeePerGas };
  }

  /**
   * Waits for the submission (or one of its replacements) to be included, up to the receipt
   * timeout. With bumpAfterMs set, a transaction still pending after that long is replaced
   * with the same nonce and both fees raised by bumpPercent, and again after each further
   * bumpAfterMs.
   */
  private async inclusion(key: string, destination: Destination, first: Ticket): Promise<{ included: Inclusion | undefined; hashes: Hex[] }> {
    const deadline = now() + this.config.receiptTimeoutMs;
    const hashes: Hex[] = [];
    let found!: (inclusion: Inclusion) => void;
    const included = new Promise<Inclusion>((resolve) => (found = resolve));
    const watch = (ticket: Ticket) => {
      hashes.push(ticket.hash);
      destination.receipts.wait(ticket.hash, Math.max(1, deadline - now())).then(found, () => undefined);
    };
    watch(first);
    let ticket = first;
    const { bumpAfterMs, bumpPercent } = this.config;
    for (;;) {
      const remaining = deadline - now();
      if (remaining <= 0 || !this.running()) return { included: undefined, hashes };
      const step = bumpAfterMs > 0 ? Math.min(bumpAfterMs, remaining) : remaining;
      const timer = new AbortController();
      this.waits.add(timer);
      const result = await Promise.race([included, sleep(step, undefined, { signal: timer.signal }).catch(() => undefined)]);
      timer.abort();
      this.waits.delete(timer);
      if (result) return { included: result, hashes };
      if (bumpAfterMs === 0 || deadline - now() <= 0 || !this.running()) continue;
      const raise = (fee: bigint) => (fee * BigInt(100 + bumpPercent)) / 100n + 1n;
      try {
        ticket = await destination.wallets.replace(ticket, {
          maxFeePerGas: raise(ticket.fees.maxFeePerGas),
          maxPriorityFeePerGas: raise(ticket.fees.maxPriorityFeePerGas),
        });
        watch(ticket);
      } catch (err) {
        // Most often: the previous one was included meanwhile ("nonce too low"); its receipt will tell.
        this.log(`${key}: replacement refused: ${(err as Error).message}`);
      }
    }
  }

  private async minedAnyway(destination: Destination, hashes: Hex[]): Promise<boolean> {
    for (const hash of hashes) {
      const receipt = await rpc<{ status: Hex } | null>(destination.rpcUrl, "eth_getTransactionReceipt", [hash]).catch(() => null);
      if (receipt?.status === "0x1") return true;
    }
    return false;
  }

  /** Replays a reverted call to read its reason (the receipt does not carry it). */
  private async revertReason(destination: Destination, data: Hex): Promise<string> {
    try {
      await rpc(destination.rpcUrl, "eth_call", [{ to: destination.receiver, data }, "latest"]);
      return "reverted on-chain (passes when replayed)";
    } catch (err) {
      return messageOf(err);
    }
  }
}
