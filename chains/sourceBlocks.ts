import { numberToHex, type Hex } from "viem";
import { rpc } from "../src/infra/rpc.ts";

/**
 * Reorgs deeper than this many blocks are not looked for: the record of older blocks is
 * let go so a long run stays flat. Far deeper than any finality depth the chains use here.
 */
const KEPT_BLOCKS = 512n;

/**
 * The source blocks that carried the run's messages, by height with the hash they had when
 * the message was seen, so a reorg that replaced them can be found afterwards: a block
 * whose canonical hash at that height differs no longer holds those messages.
 */
export class SourceBlocks {
  /** By block hash: two blocks at one height (before and after a reorg) are both kept. */
  private readonly blocks = new Map<Hex, { height: bigint; ids: number[] }>();
  private highest = 0n;

  constructor(private readonly rpcUrl: string) {}

  add(height: bigint, hash: Hex, id: number): void {
    const key = hash.toLowerCase() as Hex;
    const known = this.blocks.get(key);
    if (known) known.ids.push(id);
    else this.blocks.set(key, { height, ids: [id] });
    if (height > this.highest) {
      this.highest = height;
      for (const [h, block] of this.blocks) if (block.height + KEPT_BLOCKS < height) this.blocks.delete(h);
    }
  }

  /**
   * Ids of messages whose block (from height `from` on) is no longer the chain's block at
   * that height. Those blocks are forgotten: each message is reported once.
   */
  async rolledBack(from = 0n): Promise<number[]> {
    const ids: number[] = [];
    for (const [hash, block] of [...this.blocks]) {
      if (block.height < from) continue;
      const canonical = await rpc<{ hash: Hex } | null>(this.rpcUrl, "eth_getBlockByNumber", [numberToHex(block.height), false]);
      if (canonical?.hash.toLowerCase() === hash) continue;
      ids.push(...block.ids);
      this.blocks.delete(hash);
    }
    return ids;
  }
}
