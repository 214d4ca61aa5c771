import { setTimeout as sleep } from "node:timers/promises";
import type { Hex } from "viem";
import { rpc } from "./anvil.ts";
import { now } from "../src/measure/clock.ts";

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

/**
 * Follows a chain's head over HTTP and hands each new block range to `onBlocks` exactly
 * once, in order. One poller serves one consumer: log watchers, receipt trackers, the
 * CometBFT block watcher.
 */
export class BlockPoller {
  private nextBlock: bigint | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private lastError: Error | undefined;

  private readonly head: () => Promise<bigint>;

  constructor(private readonly options: BlockPollerOptions) {
    const { rpcUrl, head } = options;
    if (!head && !rpcUrl) throw new Error("BlockPoller needs an rpcUrl or a head function");
    this.head = head ?? (async () => BigInt(await rpc<Hex>(rpcUrl!, "eth_blockNumber", [])));
  }

  async start(): Promise<void> {
    this.nextBlock = this.options.fromBlock ?? (await this.head()) + 1n;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the current poll; `sweep` first to take in everything up to the head. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
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

  private pollOnce(): Promise<void> {
    // Sweeps and the loop share one in-flight poll so ranges never overlap.
    this.polling ??= this.poll().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async poll(): Promise<void> {
    try {
      const head = await this.head();
      const seenAt = now();
      if (this.nextBlock === undefined || head < this.nextBlock) return;
      await this.options.onBlocks(this.nextBlock, head, seenAt);
      this.nextBlock = head + 1n;
      this.lastError = undefined;
    } catch (err) {
      this.lastError = err as Error;
    }
  }

  private async run(): Promise<void> {
    const interval = this.options.pollIntervalMs ?? 20;
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
