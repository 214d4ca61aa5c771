import { setTimeout as sleep } from "node:timers/promises";
import type { Hex } from "viem";
import { rpc } from "../src/infra/rpc.ts";
import { now } from "../src/infra/clock.ts";

export interface BlockPollerOptions {
  /** EVM JSON-RPC endpoint whose eth_blockNumber is the head (unless `head` is given). */
  rpcUrl?: string;
  /** Reads the chain's current head, for chains that are not EVM JSON-RPC. [eth_blockNumber on rpcUrl] */
  head?: () => Promise<bigint>;
  /** How often the head is asked for, ms. This is the resolution of every time it reports. [20] */
  pollIntervalMs?: number;
  /** First block to report. [the head at start + 1] */
  fromBlock?: bigint;
  /**
   * Called for each new range of blocks, in order, with the time the head was seen to
   * move. A throw stops nothing: the range is retried on the next poll.
   */
  onBlocks: (from: bigint, to: bigint, seenAt: number) => Promise<void>;
}

type HeadListener = (head: bigint | Error, seenAt: number) => void;

/**
 * One head poll per EVM endpoint for every poller of this process that follows it: the
 * guardians' observer, the path's own watchers and the relayer's all want the same
 * eth_blockNumber every 20 ms, and asking once serves them all.
 * Polls at the shortest interval its listeners asked for, while it has any.
 */
export class HeadFeed {
  private static readonly feeds = new Map<string, HeadFeed>();

  /** The feed of one endpoint, made on first use. */
  static of(rpcUrl: string): HeadFeed {
    let feed = HeadFeed.feeds.get(rpcUrl);
    if (!feed) HeadFeed.feeds.set(rpcUrl, (feed = new HeadFeed(rpcUrl)));
    return feed;
  }

  private readonly listeners = new Map<HeadListener, number>();
  private loop: Promise<void> | undefined;
  /** How many eth_blockNumber calls this feed made (for tests and benchmarks). */
  polls = 0;

  private constructor(private readonly rpcUrl: string) {}

  /** Calls `listener` with every head read (or the error of a failed read); returns the unsubscribe. */
  subscribe(listener: HeadListener, intervalMs: number): () => void {
    this.listeners.set(listener, intervalMs);
    this.loop ??= this.run();
    return () => {
      this.listeners.delete(listener);
    };
  }

  private async run(): Promise<void> {
    try {
      while (this.listeners.size) {
        let head: bigint | Error;
        try {
          head = BigInt(await rpc<Hex>(this.rpcUrl, "eth_blockNumber", []));
        } catch (err) {
          head = err as Error;
        }
        this.polls++;
        const seenAt = now();
        for (const listener of [...this.listeners.keys()]) listener(head, seenAt);
        if (!this.listeners.size) break;
        await sleep(Math.min(...this.listeners.values()));
      }
    } finally {
      this.loop = undefined;
      HeadFeed.feeds.delete(this.rpcUrl);
    }
  }
}

/**
 * Follows a chain's head and hands each new block range to `onBlocks` exactly once, in
 * order. One poller serves one consumer: log watchers, receipt trackers, the CometBFT block
 * watcher. Pollers of one EVM endpoint share its HeadFeed; a `head` function is polled by
 * the poller itself.
 */
export class BlockPoller {
  private nextBlock: bigint | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private lastError: Error | undefined;
  private unsubscribe: (() => void) | undefined;
  /** The newest head the feed reported while a range was being handed over. */
  private waiting: { head: bigint; seenAt: number } | undefined;

  private readonly head: () => Promise<bigint>;

  constructor(private readonly options: BlockPollerOptions) {
    const { rpcUrl, head } = options;
    if (!head && !rpcUrl) throw new Error("BlockPoller needs an rpcUrl or a head function");
    this.head = head ?? (async () => BigInt(await rpc<Hex>(rpcUrl!, "eth_blockNumber", [])));
  }

  async start(): Promise<void> {
    this.nextBlock = this.options.fromBlock ?? (await this.head()) + 1n;
    this.running = true;
    const interval = this.options.pollIntervalMs ?? 20;
    if (this.options.head) this.loop = this.run(interval);
    else this.unsubscribe = HeadFeed.of(this.options.rpcUrl!).subscribe((head, seenAt) => this.onHead(head, seenAt), interval);
  }

  /** Stops after the current poll; `sweep` first to take in everything up to the head. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.waiting = undefined;
    await this.loop;
    await this.polling;
  }

  /** Polls once now, so everything up to the current head has been handed over when it resolves. */
  async sweep(): Promise<void> {
    // A poll already in flight may have read an older head: let it finish, then poll again.
    await this.polling;
    await this.pollOnce();
  }

  /** The first block not yet handed over (every block before it has been). */
  get next(): bigint | undefined {
    return this.nextBlock;
  }

  /** The last error seen while polling (cleared by a good poll). */
  get error(): Error | undefined {
    return this.lastError;
  }

  private polling: Promise<void> | undefined;

  private pollOnce(known?: { head: bigint; seenAt: number }): Promise<void> {
    // Sweeps, the loop and the feed share one in-flight poll so ranges never overlap.
    this.polling ??= this.poll(known).finally(() => {
      this.polling = undefined;
      const waiting = this.waiting;
      this.waiting = undefined;
      if (waiting && this.running && this.nextBlock !== undefined && waiting.head >= this.nextBlock) void this.pollOnce(waiting);
    });
    return this.polling;
  }

  private onHead(head: bigint | Error, seenAt: number): void {
    if (!this.running) return;
    if (head instanceof Error) {
      this.lastError = head;
      return;
    }
    if (this.nextBlock === undefined || head < this.nextBlock) return;
    if (this.polling) this.waiting = { head, seenAt };
    else void this.pollOnce({ head, seenAt });
  }

  private async poll(known?: { head: bigint; seenAt: number }): Promise<void> {
    try {
      const head = known?.head ?? (await this.head());
      const seenAt = known?.seenAt ?? now();
      if (this.nextBlock === undefined || head < this.nextBlock) return;
      await this.options.onBlocks(this.nextBlock, head, seenAt);
      this.nextBlock = head + 1n;
      this.lastError = undefined;
    } catch (err) {
      this.lastError = err as Error;
    }
  }

  private async run(interval: number): Promise<void> {
    while (this.running) {
      await this.pollOnce();
      if (this.running) await sleep(interval);
    }
  }
}

/** A watcher whose following is a BlockPoller's: start, stop and sweep are the poller's. */
export abstract class PolledWatcher {
  abstract readonly poller: BlockPoller;

  start(): Promise<void> {
    return this.poller.start();
  }

  /** Stops after the current poll. */
  stop(): Promise<void> {
    return this.poller.stop();
  }

  /** Takes in everything up to the current head now. */
  sweep(): Promise<void> {
    return this.poller.sweep();
  }
}
