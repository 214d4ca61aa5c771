import type { Hex } from "viem";
import type { TriggerKind } from "../bridge/payload.ts";
import { now } from "./clock.ts";

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
  /** Submissions the relayer made for it. */
  attempts: number;
  relayerGaveUp?: string;
  deliveredAt?: number;
  deliveryTxHash?: Hex;
  /** Delivered after its deadline (judged on-chain by the receiver). */
  late?: boolean;
  /** On-chain deliveries beyond the first (replay protection should keep this at 0). */
  duplicateDeliveries: number;
  /** Submissions rejected on-chain as already delivered. */
  duplicateAttempts: number;
  /** Delivered after a later message of the same emitter to the same destination. */
  outOfOrder?: boolean;
  status: MessageStatus;
  dropReason?: string;
}

export type PlannedRecord = Pick<MessageRecord, "id" | "kind" | "sourceChain" | "destinationChain" | "stage" | "intendedAt">;

/**
 * One record per message, filled in hop by hop as the run observes it. Events for
 * unknown ids or keys are counted (not thrown): they mean traffic the run did not send.
 */
export class Ledger {
  readonly startedAt = now();
  private readonly byId = new Map<number, MessageRecord>();
  private readonly idByKey = new Map<string, number>();
  /** Highest sequence delivered per emitter → destination, for out-of-order counting. */
  private readonly highestDelivered = new Map<string, bigint>();
  /** Observations that matched no message of this run. */
  unmatched = 0;
  /** Running totals, kept as messages move, so progress never scans the ledger. */
  readonly counts = { planned: 0, sent: 0, delivered: 0, dropped: 0 };
  /** Called once per message when its status becomes final (delivered or dropped). */
  onFinal: ((record: MessageRecord) => void) | undefined;

  /** Messages planned and not yet delivered or dropped. */
  get inFlight(): number {
    return this.counts.planned - this.counts.delivered - this.counts.dropped;
  }

  /** ms since the run started. */
  elapsed(at = now()): number {
    return at - this.startedAt;
  }

  plan(message: PlannedRecord): MessageRecord {
    const record: MessageRecord = { ...message, attempts: 0, duplicateDeliveries: 0, duplicateAttempts: 0, status: "in-flight" };
    this.byId.set(message.id, record);
    this.counts.planned++;
    return record;
  }

  get(id: number): MessageRecord | undefined {
    return this.byId.get(id);
  }

  byKey(key: string): MessageRecord | undefined {
    const id = this.idByKey.get(key);
    return id === undefined ? undefined : this.byId.get(id);
  }

  all(): IterableIterator<MessageRecord> {
    return this.byId.values();
  }

  get size(): number {
    return this.byId.size;
  }

  /** Links a message to its VAA id; the first hop that learns it calls this. */
  link(id: number, key: string): MessageRecord | undefined {
    const record = this.match(id);
    if (record && !record.vaaKey) {
      record.vaaKey = key;
      this.idByKey.set(key, id);
    }
    return record;
  }

  sent(id: number, at: number, txHash: Hex): void {
    const record = this.match(id);
    if (!record) return;
    record.sentAt = this.elapsed(at);
    record.sendTxHash = txHash;
    this.counts.sent++;
  }

  sendFailed(id: number, at: number, error: string): void {
    const record = this.match(id);
    if (!record) return;
    record.sentAt = this.elapsed(at);
    record.sendError = error;
    this.drop(record, `send-failed: ${error}`);
  }

  /** The message was due but could not be sent at all (counted, like k6's dropped_iterations). */
  notSent(id: number, reason: string): void {
    const record = this.match(id);
    if (record) this.drop(record, `not-sent: ${reason}`);
  }

  /** Earliest sighting of the message in a source block wins (ledger watcher or a guardian). */
  sourceIncluded(id: number, key: string, at: number): void {
    const record = this.link(id, key);
    if (!record) return;
    const elapsed = this.elapsed(at);
    if (record.sourceIncludedAt === undefined || elapsed < record.sourceIncludedAt) record.sourceIncludedAt = elapsed;
  }

  vaaReady(id: number, key: string, at: number): void {
    const record = this.link(id, key);
    if (record && record.vaaReadyAt === undefined) record.vaaReadyAt = this.elapsed(at);
  }

  relayerFetched(key: string, at: number): void {
    const record = this.matchKey(key);
    if (record && record.relayerFetchedAt === undefined) record.relayerFetchedAt = this.elapsed(at);
  }

  relayerSubmitted(key: string, at: number): void {
    const record = this.matchKey(key);
    if (!record) return;
    record.attempts++;
    if (record.relayerSubmittedAt === undefined) record.relayerSubmittedAt = this.elapsed(at);
  }

  duplicateAttempt(key: string): void {
    const record = this.matchKey(key);
    if (record) record.duplicateAttempts++;
  }

  relayerGaveUp(key: string, reason: string): void {
    const record = this.matchKey(key);
    if (record) record.relayerGaveUp = reason;
  }

  delivered(id: number, at: number, txHash: Hex, late: boolean): void {
    const record = this.match(id);
    if (!record) return;
    if (record.deliveredAt !== undefined) {
      record.duplicateDeliveries++;
      return;
    }
    record.deliveredAt = this.elapsed(at);
    record.deliveryTxHash = txHash;
    record.late = late;
    if (record.status === "dropped") this.counts.dropped--;
    record.status = "delivered";
    record.dropReason = undefined;
    this.counts.delivered++;
    this.checkOrder(record);
    this.onFinal?.(record);
  }

  private checkOrder(record: MessageRecord): void {
    if (!record.vaaKey) return;
    const cut = record.vaaKey.lastIndexOf("/");
    const lane = `${record.vaaKey.slice(0, cut)}>${record.destinationChain}`;
    const sequence = BigInt(record.vaaKey.slice(cut + 1));
    const highest = this.highestDelivered.get(lane);
    if (highest !== undefined && sequence < highest) record.outOfOrder = true;
    else this.highestDelivered.set(lane, sequence);
  }

  /**
   * Closes the run: every message still in flight is dropped, with the reason being the
   * hop it stalled after. Returns how many were dropped here.
   */
  closeDrain(): number {
    let dropped = 0;
    for (const record of this.byId.values()) {
      if (record.status !== "in-flight") continue;
      this.drop(record, stallReason(record));
      dropped++;
    }
    return dropped;
  }

  private drop(record: MessageRecord, reason: string): void {
    record.status = "dropped";
    record.dropReason = reason;
    this.counts.dropped++;
    this.onFinal?.(record);
  }

  private match(id: number): MessageRecord | undefined {
    const record = this.byId.get(id);
    if (!record) this.unmatched++;
    return record;
  }

  private matchKey(key: string): MessageRecord | undefined {
    const record = this.byKey(key);
    if (!record) this.unmatched++;
    return record;
  }
}

/** Why an undelivered message is dropped: the last hop it reached. */
export function stallReason(r: MessageRecord): string {
  if (r.sentAt === undefined) return "not-sent";
  if (r.sourceIncludedAt === undefined) return "not-included-on-source";
  if (r.vaaReadyAt === undefined) return "no-quorum";
  if (r.relayerGaveUp) return `relayer-gave-up: ${r.relayerGaveUp}`;
  if (r.relayerFetchedAt === undefined) return "vaa-not-fetched-by-relayer";
  if (r.relayerSubmittedAt === undefined) return "not-submitted-by-relayer";
  return "submitted-not-delivered";
}
