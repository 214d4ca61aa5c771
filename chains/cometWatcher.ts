import { createHash } from "node:crypto";
import { BlockPoller, PolledWatcher } from "./blockPoller.ts";
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
 * exactly once, with the time its height was first seen. Empty blocks are skipped. The
 * polling itself is the BlockPoller's; a range that fails part-way is retried from the
 * first block not yet handed over.
 */
export class CometWatcher extends PolledWatcher {
  readonly poller: BlockPoller;
  /** Highest height handed over so far. */
  private done = 0;

  constructor(
    private readonly rpcUrl: string,
    private readonly onBlock: (block: CometBlock, seenAt: number) => void,
    pollIntervalMs = 20,
  ) {
    super();
    this.poller = new BlockPoller({
      head: async () => {
        const status = await cometRpc<{ sync_info: { latest_block_height: string } }>(rpcUrl, "status");
        return BigInt(status.sync_info.latest_block_height);
      },
      pollIntervalMs,
      onBlocks: async (from, to, seenAt) => {
        for (let height = Math.max(Number(from), this.done + 1); height <= Number(to); height++) {
          await this.readBlock(height, seenAt);
          this.done = height;
        }
      },
    });
  }

  private async readBlock(height: number, seenAt: number): Promise<void> {
    const block = await cometRpc<{ block: { header: { time: string }; data: { txs: string[] | null } } }>(this.rpcUrl, `block?height=${height}`);
    const raw = block.block.data.txs ?? [];
    if (!raw.length) return;
    const results = await cometRpc<{
      txs_results: Array<{
        code: number;
        codespace?: string;
        log?: string;
        events?: Array<{ type: string; attributes?: Array<{ key: string; value: string }> }>;
      }> | null;
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
