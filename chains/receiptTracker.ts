import { numberToHex, type Hex } from "viem";
import { rpc } from "../src/infra/rpc.ts";
import { BlockPoller } from "./blockPoller.ts";

type RawReceipt = { transactionHash: Hex; status: Hex; blockNumber: Hex; gasUsed: Hex };

export interface Inclusion {
  txHash: Hex;
  blockNumber: bigint;
  success: boolean;
  gasUsed: bigint;
  /** When the block holding it was first seen (clock.now()). */
  seenAt: number;
}

/**
 * Waits for many transactions at once with one `eth_getBlockReceipts` per new block,
 * instead of polling a receipt per transaction.
 */
export class ReceiptTracker {
  private readonly waiting = new Map<Hex, { resolve: (i: Inclusion) => void; timer: NodeJS.Timeout; reject: (e: Error) => void }>();
  private readonly poller: BlockPoller;

  constructor(
    private readonly rpcUrl: string,
    pollIntervalMs = 20,
  ) {
    this.poller = new BlockPoller({
      rpcUrl,
      pollIntervalMs,
      onBlocks: async (from, to, seenAt) => {
        for (let block = from; block <= to; block++) {
          const receipts = await rpc<RawReceipt[] | null>(this.rpcUrl, "eth_getBlockReceipts", [numberToHex(block)]);
          for (const r of receipts ?? []) this.settle(r, seenAt);
        }
      },
    });
  }

  start(): Promise<void> {
    return this.poller.start();
  }

  private stopped = false;

  async stop(): Promise<void> {
    this.stopped = true;
    await this.poller.stop();
    for (const [hash, w] of this.waiting) {
      clearTimeout(w.timer);
      w.reject(new Error(`receipt tracker stopped before ${hash} was included`));
    }
    this.waiting.clear();
  }

  /** Resolves when the transaction is in a block; rejects after `timeoutMs`, or at once when the tracker has stopped. */
  wait(txHash: Hex, timeoutMs: number): Promise<Inclusion> {
    if (this.stopped) return Promise.reject(new Error(`receipt tracker stopped; not waiting for ${txHash}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(txHash);
        reject(new Error(`not included within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(txHash, { resolve, reject, timer });
    });
  }

  private settle(receipt: RawReceipt, seenAt: number): void {
    const waiter = this.waiting.get(receipt.transactionHash);
    if (!waiter) return;
    this.waiting.delete(receipt.transactionHash);
    clearTimeout(waiter.timer);
    waiter.resolve({
      txHash: receipt.transactionHash,
      blockNumber: BigInt(receipt.blockNumber),
      success: receipt.status === "0x1",
      gasUsed: BigInt(receipt.gasUsed),
      seenAt,
    });
  }
}
