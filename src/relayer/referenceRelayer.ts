import { EventEmitter } from "node:events";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import pLimit from "p-limit";
import { encodeFunctionData, bytesToHex, type Address, type Hex } from "viem";
import { LogRing, type InstanceStatus } from "../../chains/instance.ts";
import { LogWatcher } from "../../chains/logWatcher.ts";
import { ReceiptTracker } from "../../chains/receiptTracker.ts";
import { WalletPool } from "../../chains/walletPool.ts";
import { roleKeys } from "../../chains/devAccounts.ts";
import { rpc } from "../../chains/anvil.ts";
import { coreAbi } from "../bridge/core.ts";
import { decodeTrigger } from "../bridge/payload.ts";
import { parseVaa } from "../bridge/vaa.ts";
import { watchPublishedMessages } from "../bridge/publishedMessages.ts";
import { liquidationReceiverAbi } from "../../fixtures/contracts/artifacts/index.ts";
import { now } from "../measure/clock.ts";
import { within } from "../within.ts";
import type { ReferenceRelayerConfig } from "./config.ts";
import { type Relayer, type RelayerEndpoints, type RelayerEventMap, type VaaKey } from "./relayer.ts";

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
}

/**
 * The reference relayer: watches the source chains for messages of the registered
 * emitters, polls the VAA API for each until it is signed, and submits it to the
 * destination's receiver from several wallets with local nonces, retrying with
 * exponential backoff. Polling (not a push stream) is the design under test here.
 */
export class ReferenceRelayer implements Relayer {
  readonly name: string;
  status: InstanceStatus = "idle";
  readonly events = new EventEmitter<RelayerEventMap>();
  private readonly watchers: LogWatcher<typeof coreAbi>[] = [];
  private readonly destinations = new Map<number, Destination>();
  private readonly fetchLimit: ReturnType<typeof pLimit>;
  private readonly submitLimit: ReturnType<typeof pLimit>;
  /** Messages being relayed (from first sight to done). */
  private readonly relaying = new Set<Promise<void>>();
  /** Submissions under way (sent, waiting for inclusion or retrying). */
  private readonly submitting = new Set<Promise<void>>();
  private readonly recent = new LogRing();
  private running = false;

  /** VAA ids seen and not yet done (delivered, duplicate or given up): what a restart must pick up. */
  private readonly pending = new Set<VaaKey>();
  private checkpointTimer: NodeJS.Timeout | undefined;

  /**
   * @param checkpointPath where progress is saved (every 200 ms and at stop): the next source
   * block to read per chain and the messages still pending. A relayer started on an existing
   * checkpoint resumes from it, so a crash loses nothing; what it submits twice is rejected
   * on-chain as already delivered.
   */
  constructor(private readonly endpoints: RelayerEndpoints, readonly config: ReferenceRelayerConfig, private readonly checkpointPath?: string) {
    this.name = `relayer:${config.name}`;
    this.fetchLimit = pLimit(config.fetchConcurrency);
    this.submitLimit = pLimit(config.concurrency);
  }

  logs(): string[] {
    return this.recent.tail();
  }

  async start(): Promise<void> {
    this.status = "starting";
    this.running = true;
    const keys = roleKeys("relayer", this.config.wallets);
    for (const d of this.endpoints.destinations) {
      const wallets = new WalletPool({ rpcUrl: d.rpcUrl, chainId: d.evmChainId, privateKeys: keys, maxFeeGwei: this.config.maxFeeGwei });
      const receipts = new ReceiptTracker(d.rpcUrl);
      await Promise.all([wallets.init(), receipts.start()]);
      this.destinations.set(d.wormholeChainId, { receiver: d.receiver, rpcUrl: d.rpcUrl, wallets, receipts });
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
    clearInterval(this.checkpointTimer);
    await Promise.all(this.watchers.map((w) => w.stop()));
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
    const destinationChain = decodeTrigger(parseVaa(vaa).body.payload).destinationChain;
    const destination = this.destinations.get(destinationChain);
    if (!destination) {
      this.events.emit("gaveUp", { key, at: now(), reason: `no receiver configured for destination chain ${destinationChain}` });
      return;
    }
    const submission = this.submitLimit(() => this.submit(key, vaa, destination));
    this.submitting.add(submission);
    await submission.finally(() => this.submitting.delete(submission));
  }

  /** Asks the VAA API until the VAA is signed; undefined if the relayer stopped first. */
  private async fetchVaa(key: VaaKey): Promise<Uint8Array | undefined> {
    const url = `${this.endpoints.vaaApiUrl}/v1/signed_vaa/${key}`;
    while (this.running) {
      const vaa = await this.fetchLimit(async () => {
        const response = await fetch(url);
        if (response.status === 404) return undefined;
        if (!response.ok) throw new Error(`VAA API answered ${response.status} for ${key}`);
        const body = (await response.json()) as { vaaBytes: string };
        return new Uint8Array(Buffer.from(body.vaaBytes, "base64"));
      }).catch((err) => {
        this.log(`fetch ${key}: ${(err as Error).message}`);
        return undefined;
      });
      if (vaa) return vaa;
      await sleep(this.config.pollIntervalMs);
    }
    return undefined;
  }

  private async submit(key: VaaKey, vaa: Uint8Array, destination: Destination): Promise<void> {
    const data = encodeFunctionData({ abi: liquidationReceiverAbi, functionName: "receiveMessage", args: [bytesToHex(vaa)] });
    let lastReason = "not attempted";
    for (let attempt = 1; attempt <= this.config.maxAttempts && this.running; attempt++) {
      if (attempt > 1) await sleep(this.config.backoffMs * 2 ** (attempt - 2));
      let txHash: Hex;
      try {
        txHash = await destination.wallets.send(destination.receiver, data, BigInt(this.config.gasLimit));
      } catch (err) {
        lastReason = `send failed: ${(err as Error).message}`;
        continue;
      }
      this.events.emit("submitted", { key, at: now(), txHash, attempt });
      const included = await destination.receipts.wait(txHash, this.config.receiptTimeoutMs).catch(() => undefined);
      if (included?.success) return;
      if (!included && (await this.minedAnyway(destination, txHash))) return;
      lastReason = included ? await this.revertReason(destination, data) : "not included before the receipt timeout";
      if (lastReason.includes("already delivered")) {
        this.events.emit("duplicate", { key, at: now(), txHash });
        return;
      }
    }
    this.events.emit("gaveUp", { key, at: now(), reason: lastReason });
  }

  private async minedAnyway(destination: Destination, txHash: Hex): Promise<boolean> {
    const receipt = await rpc<{ status: Hex } | null>(destination.rpcUrl, "eth_getTransactionReceipt", [txHash]).catch(() => null);
    return receipt?.status === "0x1";
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
