import type { Hex } from "viem";
import type { TriggerKind } from "./kinds.ts";
import type { DropReason } from "./dropReasons.ts";
export type MessageStatus = "in-flight" | "delivered" | "dropped";

/** Everything known about one message. Times are ms from the run's start on the run clock. */
export interface MessageRecord {
  /** Message id = the trigger id carried in the payload. */
  id: number;
  kind: TriggerKind;
  sourceChain: string;
  destinationChain: string;
  /** Index of the load stage it was offered in. */
  stage: number;
  /** When the schedule meant it to be sent: every delay is measured from here. */
  intendedAt: number;
  sentAt?: number;
  sendTxHash?: Hex;
  sendError?: string;
  sourceIncludedAt?: number;
  /** VAA id once the source chain emitted it. */
  vaaKey?: string;
  vaaReadyAt?: number;
  relayerFetchedAt?: number;
  relayerSubmittedAt?: number;
  /** Submissions the relayer made for it before it was delivered. */
  attempts: number;
  relayerGaveUp?: string;
  deliveredAt?: number;
  deliveryTxHash?: Hex;
  /** IBC: when the source chain recorded the packet's acknowledgement. */
  acknowledgedAt?: number;
  /** Delivered after its deadline by either clock: lateOnchain || lateMeasured. */
  late?: boolean;
  /**
   * Late by the destination chain's clock: the including block's timestamp past the deadline.
   * EVM: the receiver contract's verdict (block.timestamp × 1000 > deadline, whole seconds);
   * Cosmos and IBC: the harness's, on the including block's time (no contract judges there).
   */
  lateOnchain?: boolean;
  /** Late by the run clock: the measured delay (deliveredAt − intendedAt) above the kind's deadline. */
  lateMeasured?: boolean;
  /** Delivered after a later message of the same emitter to the same destination. */
  outOfOrder?: boolean;
  status: MessageStatus;
  /** Why it was dropped (messages.csv writes it with dropReasonText). */
  dropReason?: DropReason;
  /**
   * A reorg rolled back its source transaction after it was seen in a block. A delivery is a
   * phantom; with no VAA by the drain's end it is dropped `source-rolled-back`.
   */
  sourceRolledBack?: boolean;
  /** Another message of this run had the same VAA id first (sequences reused after a source reorg). */
  vaaIdOf?: number;
}

export type PlannedRecord = Pick<MessageRecord, "id" | "kind" | "sourceChain" | "destinationChain" | "stage" | "intendedAt">;

/** Something that happened to a message after (or beside) its one delivery. */
export interface Anomaly {
  /** ms from the run's start. */
  at: number;
  kind: "duplicate-delivery" | "duplicate-attempt" | "phantom-delivery" | "unmatched" | "deliveries-unrecognised" | "reobserved-vaa";
  messageId?: number;
  stage?: number;
  detail: string;
}

/** Why an undelivered message is dropped: the last hop it reached. */
export function stallReason(r: MessageRecord): DropReason {
  if (r.sentAt === undefined) return { code: "not-sent" };
  if (r.sourceIncludedAt === undefined) return r.sendError ? { code: "send-failed", detail: r.sendError } : { code: "not-included-on-source" };
  // Rolled back before its VAA formed, and no guardian that saw it signed it after.
  if (r.sourceRolledBack && r.vaaReadyAt === undefined) return { code: "source-rolled-back" };
  // A rolled-back message's sequence was used again: a relayer fetching by VAA id may get the old VAA.
  if (r.vaaIdOf !== undefined) return { code: "vaa-id-reused", detail: `${r.vaaKey} was message ${r.vaaIdOf}'s first` };
  if (r.vaaReadyAt === undefined) return { code: "no-quorum" };
  if (r.relayerGaveUp) return { code: "relayer-gave-up", detail: r.relayerGaveUp };
  if (r.relayerFetchedAt === undefined) return { code: "vaa-not-fetched-by-relayer" };
  if (r.relayerSubmittedAt === undefined) return { code: "not-submitted-by-relayer" };
  return { code: "submitted-not-delivered" };
}
