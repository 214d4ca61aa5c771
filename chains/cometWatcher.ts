import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { now } from "../src/measure/clock.ts";
import { cometRpc } from "./cosmos.ts";

export interface CometEvent {
  type: string;
  attributes: Record<string, string>;
}

/** One transaction of a block with its result. */
export interface CometTx {
  /** Upper-case hex sha256 of the transaction bytes (its hash). */
  hash: string;
  code: number;
  codespace: string;
  log: string;
  events: CometEvent[];
}

export interface CometBlock {
  height: number;
  /** Block time, unix ms. */
  timeMs: number;
  txs: CometTx[];
}

/**
 * Follows a CometBFT chain over its RPC (`status`, `block`, `block_results`) and hands
 * each new block with its transactions and their results and events to `onBlock`, in order,
 * exactly once, with the time its height was first seen. Empty blocks are skipped.
 */
export class CometWatcher {
  private next = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  private polling: Promise<void> | undefined;

  constructor(
    private readonly rpcUrl: string,
    private readonly onBlock: (block: CometBlock, seenAt: number) => void,
    private readonly pollIntervalMs = 20,
  ) {}

  async start(): Promise<void> {
    this.next = (await this.head()) + 1;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Reads everything up to the current head now. */
  async sweep(): Promise<void> {
    await this.polling;
    await this.pollOnce();
  }

  private async run(): Promise<void> {
    while (this.running) {
      await this.pollOnce();
      if (this.running) await sleep(this.pollIntervalMs);
    }
  }

  private pollOnce(): Promise<void> {
    this.polling ??= this.poll()
      .catch(() => undefined) // a failed poll is retried on the next one
      .finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async head(): Promise<number> {
    const status = await cometRpc<{ sync_info: { latest_block_height: string } }>(this.rpcUrl, "status");
    return Number(status.sync_info.latest_block_height);
  }

  private async poll(): Promise<void> {
    const head = await this.head();
    const seenAt = now();
    for (; this.next <= head; this.next++) {
      const height = this.next;
      const block = await cometRpc<{ block: { header: { time: string }; data: { txs: string[] | null } } }>(this.rpcUrl, `block?height=${height}`);
      const raw = block.block.data.txs ?? [];
      if (!raw.length) continue;
      const results = await cometRpc<{
        txs_results: Array<{ code: number; codespace?: string; log?: string; events?: Array<{ type: string; attributes?: Array<{ key: string; value: string }> }> }> | null;
      }>(this.rpcUrl, `block_results?height=${height}`);
      const txs = raw.map((tx, i): CometTx => {
        const result = results.txs_results?.[i];
        return {
          hash: createHash("sha256").update(Buffer.from(tx, "base64")).digest("hex").toUpperCase(),
          code: result?.code ?? 0,
          codespace: result?.codespace ?? "",
          log: result?.log ?? "",
          events: (result?.events ?? []).map((e) => ({ type: e.type, attributes: Object.fromEntries((e.attributes ?? []).map((a) => [a.key, a.value])) })),
        };
      });
      this.onBlock({ height, timeMs: Date.parse(block.block.header.time), txs }, seenAt);
    }
  }
}
