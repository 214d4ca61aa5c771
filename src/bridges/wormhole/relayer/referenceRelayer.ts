import { EventEmitter } from "node:events";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import pLimit from "p-limit";
import { LogRing } from "../../../infra/instance.ts";
import { Lifecycle, LifecycleInstance } from "../../../infra/lifecycle.ts";
import type { LogWatcher } from "../../../../chains/logWatcher.ts";
import { roleKeys } from "../../../../chains/devAccounts.ts";
import { httpRequest } from "../../../infra/http.ts";
import type { coreAbi } from "../core.ts";
import type { LoadedIntegration } from "../integrationLoader.ts";
import { parseVaa } from "../vaa.ts";
import { watchPublishedMessages } from "../publishedMessages.ts";
import { now } from "../../../infra/clock.ts";
import { within } from "../../../infra/within.ts";
import type { ReferenceRelayerConfig } from "./config.ts";
import { Delivery } from "./delivery.ts";
import { VaaStream } from "./vaaStream.ts";
import type { Relayer, RelayerEndpoints, RelayerEventMap, VaaKey } from "./relayer.ts";

interface Checkpoint {
  /** Per source Wormhole chain id: the first block not fully read yet. */
  nextBlock: Record<number, string>;
  pending: VaaKey[];
}

/**
 * The reference relayer: watches the source chains for messages of the registered
 * emitters, gets each one's VAA from the VAA API (polling, or from its push stream), and
 * submits it to the destination's receiver from several wallets with local nonces —
 * optionally liquidation triggers first (priority lanes), priced fixed or from the base
 * fee, replaced with higher fees when stuck, retried with exponential backoff (see Delivery).
 */
export class ReferenceRelayer extends LifecycleInstance implements Relayer {
  readonly name: string;
  readonly events = new EventEmitter<RelayerEventMap>();
  private readonly watchers: LogWatcher<typeof coreAbi>[] = [];
  private readonly fetchLimit: ReturnType<typeof pLimit>;
  private readonly delivery: Delivery;
  private stream: VaaStream | undefined;
  /** Messages being relayed (from first sight to done). */
  private readonly relaying = new Set<Promise<void>>();
  /** Submissions under way (sent, waiting for inclusion or retrying). */
  private readonly submitting = new Set<Promise<void>>();
  private readonly recent = new LogRing();
  private running = false;
  protected readonly life: Lifecycle;

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
    /** Reads payloads (destination and kind) and encodes deliveries. */
    private readonly integration: LoadedIntegration,
    private readonly checkpointPath?: string,
  ) {
    super();
    this.name = `relayer:${config.name}`;
    this.fetchLimit = pLimit(config.fetchConcurrency);
    this.delivery = new Delivery(
      config,
      integration,
      this.events,
      (line) => this.log(line),
      () => this.running,
    );
    this.life = new Lifecycle({ name: this.name, start: (signal) => this.open(signal), stop: () => this.close(), logs: () => this.logs() });
  }

  logs(): string[] {
    return this.recent.tail();
  }

  async settle(timeoutMs: number): Promise<void> {
    await within(Promise.allSettled([...this.submitting]), timeoutMs);
  }

  private async open(signal: AbortSignal): Promise<void> {
    this.running = true;
    const keys = roleKeys("relayer", this.config.wallets);
    for (const d of this.endpoints.destinations) {
      await this.delivery.open(d, keys);
      signal.throwIfAborted();
    }
    if (this.config.vaaSource === "push") {
      this.stream = new VaaStream(`${this.endpoints.vaaApiUrl}/v1/signed_vaa/stream`, (line) => this.log(line));
      await this.stream.start();
    }
    const checkpoint = this.readCheckpoint();
    this.watchers.length = 0;
    for (const source of this.endpoints.sources) {
      signal.throwIfAborted();
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
  }

  /** Also takes down a start that failed or was stopped midway; the checkpoint is saved only when the start had finished. */
  private async close(): Promise<void> {
    this.running = false;
    const checkpointing = this.checkpointTimer !== undefined;
    clearInterval(this.checkpointTimer);
    this.checkpointTimer = undefined;
    // Batches not sent yet stay pending in the checkpoint.
    this.delivery.release();
    await Promise.all(this.watchers.map((w) => w.stop()));
    await this.stream?.stop();
    if (checkpointing) this.writeCheckpoint();
    await this.delivery.close();
    await within(Promise.allSettled([...this.relaying]), 5_000);
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
    const { destination: destinationChain, kind } = this.integration.decode(parseVaa(vaa).body.payload);
    const destination = this.delivery.destinations.get(destinationChain);
    if (!destination) {
      this.events.emit("gaveUp", { key, at: now(), reason: `no receiver configured for destination chain ${destinationChain}` });
      return;
    }
    const submission = this.delivery.deliver(key, vaa, destination, kind);
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
}
