import type { Hex } from "viem";
import { vaaKey } from "../vaa.ts";

/** A VAA that reached quorum. Times come from clock.now(). */
export interface SignedVaa {
  emitterChain: number;
  /** 32-byte emitter address. */
  emitterAddress: Hex;
  sequence: bigint;
  txHash: Hex;
  payload: Uint8Array;
  /** The signed VAA (wire format). */
  bytes: Uint8Array;
  /** The on-chain `vm.hash`: keccak256(keccak256(body)). */
  hash: Hex;
  /** The source block the message was observed in. */
  blockHash: Hex;
  /** When the first guardian saw the message on its source chain. */
  firstObservedAt: number;
  /** When the quorum-th signature arrived. */
  readyAt: number;
  /** Signatures in the VAA from guardians that signed on a re-observation request (0: quorum without re-observation). */
  reobservedSignatures: number;
  /** Re-observation requests made before quorum. */
  reobservationRequests: number;
}

/**
 * Signed VAAs by id and by source transaction, forgotten `retentionMs` after signing. The
 * queue is in signing order; its head index advances and the array is cut now and then
 * (Array.shift is O(n)).
 */
export class VaaStore {
  private readonly byId = new Map<string, SignedVaa>();
  private readonly byTx = new Map<Hex, SignedVaa[]>();
  private order: SignedVaa[] = [];
  private head = 0;

  constructor(private readonly retentionMs: number) {}

  add(vaa: SignedVaa): void {
    this.forget(vaa.readyAt);
    this.byId.set(vaaKey(vaa.emitterChain, vaa.emitterAddress, vaa.sequence), vaa);
    const tx = vaa.txHash.toLowerCase() as Hex;
    this.byTx.set(tx, [...(this.byTx.get(tx) ?? []), vaa]);
    this.order.push(vaa);
  }

  get(key: string): SignedVaa | undefined {
    return this.byId.get(key);
  }

  byTxHash(txHash: Hex): SignedVaa[] {
    return this.byTx.get(txHash.toLowerCase() as Hex) ?? [];
  }

  private forget(at: number): void {
    const cut = at - this.retentionMs;
    const order = this.order;
    while (this.head < order.length && order[this.head]!.readyAt < cut) {
      const vaa = order[this.head]!;
      order[this.head++] = undefined as unknown as SignedVaa;
      const key = vaaKey(vaa.emitterChain, vaa.emitterAddress, vaa.sequence);
      // A sequence reused after a reorg may have a newer VAA under the same id: that one stays.
      if (this.byId.get(key) === vaa) this.byId.delete(key);
      const tx = vaa.txHash.toLowerCase() as Hex;
      const left = (this.byTx.get(tx) ?? []).filter((v) => v !== vaa);
      if (left.length) this.byTx.set(tx, left);
      else this.byTx.delete(tx);
    }
    if (this.head > 4096 && this.head * 2 > order.length) {
      this.order = order.slice(this.head);
      this.head = 0;
    }
  }
}
