import { EventEmitter } from "node:events";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import pLimit from "p-limit";
import { encodeFunctionData, bytesToHex, parseEventLogs, parseGwei, type Address, type Hex, type Log } from "viem";
import { LogRing, type InstanceStatus } from "../../../infra/instance.ts";
import type { LogWatcher } from "../../../../chains/logWatcher.ts";
import { ReceiptTracker, type Inclusion } from "../../../../chains/receiptTracker.ts";
import { WalletPool, type Fees, type Ticket } from "../../../../chains/walletPool.ts";
import { roleKeys } from "../../../../chains/devAccounts.ts";
import { rpc } from "../../../infra/rpc.ts";
import { httpRequest } from "../../../infra/http.ts";
import type { coreAbi } from "../core.ts";
import { decodeTrigger } from "../../../load/payload.ts";
import type { TriggerKind } from "../../../measure/kinds.ts";
import { parseVaa } from "../vaa.ts";
import { watchPublishedMessages } from "../publishedMessages.ts";
import { liquidationReceiverAbi } from "../../../../fixtures/contracts/artifacts/index.ts";
import { now } from "../../../infra/clock.ts";
import { within } from "../../../infra/within.ts";
import type { ReferenceRelayerConfig } from "./config.ts";
import { LaneLimit } from "./lanes.ts";
import { VaaStream } from "./vaaStream.ts";
import type { Relayer, RelayerEndpoints, RelayerEventMap, VaaKey } from "./relayer.ts";

interface Checkpoint {
  /** Per source Wormhole chain id: the first block not fully read yet. */
  nextBlock: Record<number, string>;
  pending: VaaKey[];
}

interface Destination {
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
 * The reference relayer: watches the source chains for messages of the registered
 * emitters, gets each one's VAA from the VAA API (polling, or from its push stream), and
 * submits it to the destination's receiver from several wallets with local nonces —
 * optionally liquidation triggers first (priority lanes), priced fixed or from the base
 * fee, replaced with higher fees when stuck, retried with exponential backoff.
 */
export class ReferenceRelayer implements Relayer {
  readonly name: string;
  status: InstanceStatus = "idle";
  readonly events = new EventEmitter<RelayerEventMap>();
  private readonly watchers: LogWatcher<typeof coreAbi>[] = [];
  private readonly destinations = new Map<number, Destination>();
  private readonly fetchLimit: ReturnType<typeof pLimit>;
  private readonly submitLimit: LaneLimit;
  /** The preset's max-fee cap and tip, wei per gas. */
  private readonly pricing: { cap: bigint; maxPriorityFeePerGas: bigint };
  private stream: VaaStream | undefined;
  /** Messages being relayed (from first sight to done). */
  private readonly relaying = new Set<Promise<void>>();
  /** Submissions under way (sent, waiting for inclusion or retrying). */
  private readonly submitting = new Set<Promise<void>>();
  private readonly recent = new LogRing();
  private running = false;
  /** Inclusion waits under way: stop() wakes them, or they would sleep until their timeout. */
  private readonly waits = new Set<AbortController>();

  /** VAA ids seen and not yet done (delivered, duplicate or given up): what a restart must pick up. */
  private readonly pending = new Set<VaaKey>();
  private checkpointTimer: NodeJS.Timeout | undefined;

  /**
   * @param checkpointPath where progress is saved (every 200 ms and at stop): the next source
   * block to read per chain and the messages still pending. A relayer started on an existing
   * checkpoint resumes from it, so a crash loses nothing; what it submits twice is rejected
   * on-chain as already delivered.
   */
  constructor(
    private readonly endpoints: RelayerEndpoints,
    readonly config: ReferenceRelayerConfig,
    private readonly checkpointPath?: string,
  ) {
    this.name = `relayer:${config.name}`;
    this.fetchLimit = pLimit(config.fetchConcurrency);
    this.submitLimit = new LaneLimit(config.concurrency, config.priorityLanes ? 4 : 1);
    const cap = parseGwei(String(config.maxFeeGwei));
    const tip = parseGwei(String(config.priorityFeeGwei));
    // biome-ignore lint/complexity/useMathMinMax: bigints, which Math.min does not take
    this.pricing = { cap, maxPriorityFeePerGas: tip < cap ? tip : cap };
  }

  logs(): string[] {
    return this.recent.tail();
  }

  async start(): Promise<void> {
    this.status = "starting";
    this.running = true;
    const keys = roleKeys("relayer", this.config.wallets);
    for (const d of this.endpoints.destinations) {
      // Every submission names its fees (see fees()): the pool's own defaults are not used.
      const wallets = new WalletPool({ rpcUrl: d.rpcUrl, chainId: d.evmChainId, privateKeys: keys });
      const receipts = new ReceiptTracker(d.rpcUrl);
      await Promise.all([wallets.init(), receipts.start()]);
      this.destinations.set(d.wormholeChainId, { receiver: d.receiver, rpcUrl: d.rpcUrl, wallets, receipts });
    }
    if (this.config.vaaSource === "push") {
      this.stream = new VaaStream(`${this.endpoints.vaaApiUrl}/v1/signed_vaa/stream`, (line) => this.log(line));
      await this.stream.start();
    }
    const checkpoint = this.readCheckpoint();
    for (const source of this.endpoints.sources) {
      const resumeAt = checkpoint?.nextBlock[source.wormholeChainId];
      const watcher = watchPublishedMessages({
        ...source,
        fromBlock: resumeAt === undefined ? undefined : BigInt(resumeAt),
        onMessage: ({ key }) => this.track(key),
      });
      await watcher.start();
      this.watchers.push(watcher);
    }
    for (const key of checkpoint?.pending ?? []) this.track(key);
    if (this.checkpointPath) this.checkpointTimer = setInterval(() => this.writeCheckpoint(), 200);
    this.status = "started";
  }

  async settle(timeoutMs: number): Promise<void> {
    await within(Promise.allSettled([...this.submitting]), timeoutMs);
  }

  async stop(): Promise<void> {
    if (this.status === "stopped") return;
    this.status = "stopping";
    this.running = false;
    for (const wait of this.waits) wait.abort();
    clearInterval(this.checkpointTimer);
    // Batches not sent yet stay pending in the checkpoint.
    for (const { batch } of this.destinations.values()) {
      clearTimeout(batch?.timer);
      for (const item of batch?.items.splice(0) ?? []) item.done();
    }
    await Promise.all(this.watchers.map((w) => w.stop()));
    await this.stream?.stop();
    this.writeCheckpoint();
    await Promise.all([...this.destinations.values()].map((d) => d.receipts.stop()));
    await within(Promise.allSettled([...this.relaying]), 5_000);
    this.status = "stopped";
  }

  private log(line: string): void {
    this.recent.push(line);
  }

  private readCheckpoint(): Checkpoint | undefined {
    if (!this.checkpointPath || !existsSync(this.checkpointPath)) return undefined;
    return JSON.parse(readFileSync(this.checkpointPath, "utf8")) as Checkpoint;
  }

  /** Written to a temporary file and renamed: a kill mid-write leaves the previous checkpoint whole. */
  private writeCheckpoint(): void {
    if (!this.checkpointPath) return;
    const checkpoint: Checkpoint = {
      nextBlock: Object.fromEntries(this.watchers.map((w, i) => [this.endpoints.sources[i]!.wormholeChainId, String(w.poller.next ?? 0n)])),
      pending: [...this.pending],
    };
    writeFileSync(`${this.checkpointPath}.tmp`, JSON.stringify(checkpoint));
    renameSync(`${this.checkpointPath}.tmp`, this.checkpointPath);
  }

  private track(key: VaaKey): void {
    if (this.pending.has(key)) return;
    this.pending.add(key);
    const task = this.relay(key)
      .then(() => {
        // Stopping cuts a relay short: it stays pending for the next start.
        if (this.running) this.pending.delete(key);
      })
      .catch((err) => this.log(`${key}: ${(err as Error).message}`));
    this.relaying.add(task);
    void task.finally(() => this.relaying.delete(task));
  }

  private async relay(key: VaaKey): Promise<void> {
    const vaa = await this.fetchVaa(key);
    if (!vaa) return;
    this.events.emit("fetched", { key, at: now() });
    const { destinationChain, kind } = decodeTrigger(parseVaa(vaa).body.payload);
    const destination = this.destinations.get(destinationChain);
    if (!destination) {
      this.events.emit("gaveUp", { key, at: now(), reason: `no receiver configured for destination chain ${destinationChain}` });
      return;
    }
    const submission =
      this.config.batchSize > 1
        ? new Promise<void>((done) => this.enqueue(destination, { key, vaa, lane: LANES[kind], done }))
        : this.submitLimit.run(LANES[kind], () => this.submit(key, vaa, destination));
    this.submitting.add(submission);
    await submission.finally(() => this.submitting.delete(submission));
  }

  /**
   * The signed VAA, or undefined if the relayer stopped first. Polling: asks the VAA API
   * every pollIntervalMs. Push: waits for the stream, asking only when it has not brought
   * the VAA within pollIntervalMs (signed while the stream was down, or not signed yet).
   */
  private async fetchVaa(key: VaaKey): Promise<Uint8Array | undefined> {
    while (this.running) {
      const pushed = await this.stream?.take(key, this.config.pollIntervalMs);
      if (pushed) return pushed;
      const vaa = await this.askVaa(key);
      if (vaa) return vaa;
      if (!this.stream) await sleep(this.config.pollIntervalMs);
    }
    return undefined;
  }

  /** One ask of the VAA API; undefined while the VAA is not signed (or the API fails). */
  private askVaa(key: VaaKey): Promise<Uint8Array | undefined> {
    const url = `${this.endpoints.vaaApiUrl}/v1/signed_vaa/${key}`;
    return this.fetchLimit(async () => {
      const { status, body } = await httpRequest(url, `VAA API ${key}`);
      if (status === 404) return undefined;
      if (status !== 200) throw new Error(`VAA API answered ${status} for ${key}`);
      const { vaaBytes } = JSON.parse(body.toString("utf8")) as { vaaBytes: string };
      return new Uint8Array(Buffer.from(vaaBytes, "base64"));
    }).catch((err) => {
      this.log(`fetch ${key}: ${(err as Error).message}`);
      return undefined;
    });
  }

  private async submit(key: VaaKey, vaa: Uint8Array, destination: Destination): Promise<void> {
    const data = encodeFunctionData({ abi: liquidationReceiverAbi, functionName: "receiveMessage", args: [bytesToHex(vaa)] });
    let lastReason = "not attempted";
    for (let attempt = 1; attempt <= this.config.maxAttempts && this.running; attempt++) {
      if (attempt > 1) await sleep(this.config.backoffMs * 2 ** (attempt - 2));
      let ticket: Ticket;
      try {
        ticket = await destination.wallets.sendTicket(destination.receiver, data, BigInt(this.config.gasLimit), 0n, await this.fees(destination));
      } catch (err) {
        lastReason = `send failed: ${(err as Error).message}`;
        continue;
      }
      this.events.emit("submitted", { key, at: now(), txHash: ticket.hash, attempt });
      const { included, hashes } = await this.inclusion(key, destination, ticket);
      if (included?.success) return;
      if (!included && (await this.minedAnyway(destination, hashes))) return;
      lastReason = included ? await this.revertReason(destination, data) : "not included before the receipt timeout";
      if (lastReason.includes("already delivered")) {
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
   * Delivers a batch through the receiver's receiveMessages(bytes[]) in one transaction. The
   * receiver reports each VAA it rejects (TriggerRejected): an "already delivered" one is a
   * duplicate, any other is submitted again on its own; so is the whole batch when its
   * transaction fails or is not included.
   */
  private async submitBatch(destination: Destination, items: BatchItem[]): Promise<void> {
    const data = encodeFunctionData({ abi: liquidationReceiverAbi, functionName: "receiveMessages", args: [items.map((i) => bytesToHex(i.vaa))] });
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
      if (this.running) await oneByOne(items);
      return;
    }
    const receipt = await rpc<{ logs: Log[] }>(destination.rpcUrl, "eth_getTransactionReceipt", [included.txHash]);
    const retry: BatchItem[] = [];
    for (const rejected of parseEventLogs({ abi: liquidationReceiverAbi, eventName: "TriggerRejected", logs: receipt.logs })) {
      const item = items[Number(rejected.args.index)];
      if (!item) continue;
      if (rejected.args.reason.includes("already delivered")) this.events.emit("duplicate", { key: item.key, at: now(), txHash: included.txHash });
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
      if (remaining <= 0 || !this.running) return { included: undefined, hashes };
      const step = bumpAfterMs > 0 ? Math.min(bumpAfterMs, remaining) : remaining;
      const timer = new AbortController();
      this.waits.add(timer);
      const result = await Promise.race([included, sleep(step, undefined, { signal: timer.signal }).catch(() => undefined)]);
      timer.abort();
      this.waits.delete(timer);
      if (result) return { included: result, hashes };
      if (bumpAfterMs === 0 || deadline - now() <= 0 || !this.running) continue;
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
      return (err as Error).message;
    }
  }
}
