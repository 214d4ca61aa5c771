import type { Hex } from "viem";
import type { TriggerKind } from "./kinds.ts";
import { now } from "../infra/clock.ts";
import { type Anomaly, type MessageRecord, type PlannedRecord, stallReason } from "./record.ts";
import { VaaIdIndex } from "./vaaIds.ts";
import { Finished, IdTable } from "./idTable.ts";
import type { DropReason } from "./dropReasons.ts";

/**
 * One record per message while it is in flight, filled in hop by hop. When a message is
 * delivered or dropped it is handed to `onFinal` (statistics, messages.csv) and forgotten,
 * so memory holds only what is in flight: a long run stays flat. Finished ids stay known
 * in a bitset, so a later duplicate delivery is still recognised and reported, and finished
 * VAA ids in fixed rings (VaaIdIndex), so a late duplicate attempt or a reused sequence is too.
 */
export class Ledger {
  /**
   * The run clock's origin (clock.now()): when the ledger is made, moved by start() to when
   * dispatch begins, so stage 0 starts at 0 and attaching watchers and faults is not in it.
   */
  startedAt = now();
  /** Called by start(); undefined once it has run. */
  private startHooks: Array<() => void> | undefined = [];
  private readonly live = new Map<number, MessageRecord>();
  /** In-flight messages by VAA id: small, and the relayer's events look it up by the same string. */
  private readonly liveByVaaId = new Map<string, number>();
  /** Finished messages by VAA id. */
  private readonly vaaIds = new VaaIdIndex();
  /** Per id, for the whole run: how it ended, its stage, its VAA id parsed. */
  private readonly ids = new IdTable();
  /**
   * Live messages whose source transaction a reorg rolled back before their VAA formed. Guardians
   * that saw them first may still sign (instant level), so they stay until the drain closes,
   * dropped `source-rolled-back` then unless a VAA comes; the drain does not wait for them.
   */
  private readonly rolledBackUnsigned = new Set<number>();
  /** Running totals, kept as messages move, so progress never scans the ledger. */
  readonly counts = { planned: 0, sent: 0, delivered: 0, dropped: 0 };
  /**
   * `deadlineMs`: each kind's deadline after the intended send (the scenario's), for the
   * measured lateness; a kind without one is judged on the chain's clock alone.
   */
  constructor(private readonly deadlineMs: Partial<Record<TriggerKind, number>> = {}) {}

  /** Called when a message is planned. */
  onPlan: ((record: MessageRecord) => void) | undefined;
  /** Called once per message when its status becomes final; the ledger forgets it afterwards. */
  onFinal: ((record: MessageRecord) => void) | undefined;
  onAnomaly: ((anomaly: Anomaly) => void) | undefined;

  /** Messages planned and not yet delivered or dropped. */
  get inFlight(): number {
    return this.live.size - this.rolledBackUnsigned.size;
  }

  /** Starts the run clock (stage 0 begins at `at`), then whatever waits for it (whenStarted). Once. */
  start(at = now()): void {
    const hooks = this.startHooks;
    if (!hooks) return;
    this.startedAt = at;
    this.startHooks = undefined;
    for (const hook of hooks) hook();
  }

  /** Runs `hook` when the run clock starts (at once if it has): fault timelines and samplers time themselves from it. */
  whenStarted(hook: () => void): void {
    if (this.startHooks) this.startHooks.push(hook);
    else hook();
  }

  /** ms since the run started. */
  elapsed(at = now()): number {
    return at - this.startedAt;
  }

  plan(message: PlannedRecord): MessageRecord {
    // Every field set up front, in one order: records share one hidden class and stay fast to
    // update (a spread copy with fields added later changes shape, which V8 updates slowly).
    const record: MessageRecord = {
      id: message.id,
      kind: message.kind,
      sourceChain: message.sourceChain,
      destinationChain: message.destinationChain,
      stage: message.stage,
      intendedAt: message.intendedAt,
      sentAt: undefined,
      sendTxHash: undefined,
      sendError: undefined,
      sourceIncludedAt: undefined,
      vaaKey: undefined,
      vaaReadyAt: undefined,
      relayerFetchedAt: undefined,
      relayerSubmittedAt: undefined,
      attempts: 0,
      relayerGaveUp: undefined,
      deliveredAt: undefined,
      deliveryTxHash: undefined,
      acknowledgedAt: undefined,
      late: undefined,
      lateOnchain: undefined,
      lateMeasured: undefined,
      outOfOrder: undefined,
      status: "in-flight",
      dropReason: undefined,
      sourceRolledBack: undefined,
      vaaIdOf: undefined,
    };
    this.live.set(message.id, record);
    this.ids.grow(message.id);
    this.ids.stage[message.id] = message.stage;
    this.counts.planned++;
    this.onPlan?.(record);
    return record;
  }

  /** The messages the run still waits for (those `inFlight` counts): held rolled-back ones left out. */
  *inFlightRecords(): IterableIterator<MessageRecord> {
    for (const record of this.live.values()) if (!this.rolledBackUnsigned.has(record.id)) yield record;
  }

  /** Every message not yet delivered or dropped, held ones included (what an interrupted run lists). */
  unfinishedRecords(): IterableIterator<MessageRecord> {
    return this.live.values();
  }

  get(id: number): MessageRecord | undefined {
    return this.live.get(id);
  }

  /** The stage of a message this run planned, in flight or finished; undefined for an id never planned. */
  stageOf(id: number): number | undefined {
    return this.live.get(id)?.stage ?? (this.ids.finishedCode(id) === Finished.No ? undefined : this.ids.stage[id]);
  }

  /** Links a message to its VAA id; the first hop that learns it calls this. */
  link(id: number, key: string): MessageRecord | undefined {
    const record = this.match(id);
    if (record && !record.vaaKey) {
      record.vaaKey = key;
      let other = this.liveByVaaId.get(key);
      if (this.vaaIds.parse(key, true)) {
        this.ids.emitter[id] = this.vaaIds.emitter;
        this.ids.sequence[id] = this.vaaIds.sequence;
        other ??= this.vaaIds.find(this.vaaIds.emitter, this.vaaIds.sequence);
      }
      if (other !== undefined && other !== id) record.vaaIdOf = other;
      this.liveByVaaId.set(key, id);
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

  /**
   * The source node refused the transaction. Not final yet: a send that timed out may
   * still have landed, so the drop is decided when the drain closes.
   */
  sendFailed(id: number, at: number, error: string): void {
    const record = this.match(id);
    if (!record) return;
    record.sentAt = this.elapsed(at);
    record.sendError = error;
  }

  /** The chain refused the message for good (CheckTx, or a failed inclusion): dropped now with that reason. */
  refused(id: number, at: number, reason: DropReason): void {
    const record = this.match(id);
    if (!record) return;
    record.sentAt ??= this.elapsed(at);
    this.finish(record, "dropped", reason);
  }

  /** The message was due but could not be sent at all (counted, like k6's dropped_iterations). */
  notSent(id: number, detail: string): void {
    const record = this.match(id);
    if (record) this.finish(record, "dropped", { code: "not-sent", detail });
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
    if (record && record.vaaReadyAt === undefined) {
      record.vaaReadyAt = this.elapsed(at);
      this.rolledBackUnsigned.delete(id);
    }
  }

  relayerFetched(key: string, at: number): void {
    const record = this.liveByKey(key);
    if (record && record.relayerFetchedAt === undefined) record.relayerFetchedAt = this.elapsed(at);
  }

  relayerSubmitted(key: string, at: number): void {
    const record = this.liveByKey(key);
    if (!record) return;
    record.attempts++;
    if (record.relayerSubmittedAt === undefined) record.relayerSubmittedAt = this.elapsed(at);
  }

  duplicateAttempt(key: string, at: number, txHash: Hex): void {
    let id = this.liveByVaaId.get(key);
    if (id === undefined && this.vaaIds.parse(key, false)) id = this.vaaIds.find(this.vaaIds.emitter, this.vaaIds.sequence);
    this.anomaly({
      at: this.elapsed(at),
      kind: id === undefined ? "unmatched" : "duplicate-attempt",
      messageId: id,
      detail: `rejected as already delivered: ${txHash}`,
    });
  }

  relayerGaveUp(key: string, reason: string): void {
    const record = this.liveByKey(key);
    if (record) record.relayerGaveUp = reason;
  }

  /**
   * Delivered at `at`; `lateOnchain` is the destination chain's verdict (see MessageRecord);
   * `acknowledgedAt` for IBC packets, whose delivery is final once acknowledged.
   */
  delivered(id: number, at: number, txHash: Hex, lateOnchain: boolean, acknowledgedAt?: number): void {
    const record = this.live.get(id);
    if (!record) {
      const code = this.ids.finishedCode(id);
      const kind = code === Finished.RolledBack ? "phantom-delivery" : code === Finished.No ? "unmatched" : "duplicate-delivery";
      if (code === Finished.RolledBack) this.ids.finished[id] = Finished.Phantom;
      this.anomaly({
        at: this.elapsed(at),
        kind,
        messageId: id,
        detail: `delivery ${txHash}${kind === "phantom-delivery" ? " of a message rolled back on its source" : ""}`,
      });
      return;
    }
    record.deliveredAt = this.elapsed(at);
    record.deliveryTxHash = txHash;
    const deadline = this.deadlineMs[record.kind];
    record.lateOnchain = lateOnchain;
    record.lateMeasured = deadline === undefined ? undefined : record.deliveredAt - record.intendedAt > deadline;
    record.late = lateOnchain || record.lateMeasured === true;
    if (acknowledgedAt !== undefined) record.acknowledgedAt = this.elapsed(acknowledgedAt);
    this.checkOrder(record);
    this.finish(record, "delivered");
    if (record.sourceRolledBack) this.phantom(id, at, `delivery ${txHash} of a message rolled back on its source after its VAA was signed`);
  }

  /**
   * A reorg rolled back the message's source transaction. Never seen in a block: no guardian
   * can sign it, dropped now with reason `source-rolled-back`. Seen, with its VAA still to
   * form: held (rolledBackUnsigned). With a VAA (instant level) it will be or was delivered
   * anyway: a phantom delivery, reported as an anomaly.
   */
  sourceRolledBack(id: number, at = now()): void {
    const record = this.live.get(id);
    if (record) {
      if (record.sourceIncludedAt === undefined) return this.finish(record, "dropped", { code: "source-rolled-back" });
      record.sourceRolledBack = true;
      if (record.vaaReadyAt === undefined) this.rolledBackUnsigned.add(id);
      return;
    }
    const code = this.ids.finishedCode(id);
    if (code === Finished.Delivered) this.phantom(id, at, "delivered before a reorg rolled back its source transaction");
  }

  private phantom(id: number, at: number, detail: string): void {
    this.ids.finished[id] = Finished.Phantom;
    this.anomaly({ at: this.elapsed(at), kind: "phantom-delivery", messageId: id, detail });
  }

  /**
   * Closes the run: every message still in flight is dropped, with the reason being the
   * hop it stalled after. Returns how many were dropped here.
   */
  closeDrain(): number {
    const stalled = [...this.live.values()];
    for (const record of stalled) this.finish(record, "dropped", stallReason(record));
    return stalled.length;
  }

  private finish(record: MessageRecord, status: "delivered" | "dropped", reason?: DropReason): void {
    record.status = status;
    record.dropReason = reason;
    this.counts[status]++;
    this.live.delete(record.id);
    this.rolledBackUnsigned.delete(record.id);
    this.ids.finished[record.id] = status === "delivered" ? Finished.Delivered : reason?.code === "source-rolled-back" ? Finished.RolledBack : Finished.Dropped;
    if (record.vaaKey) {
      // A later message may have taken the same VAA id (reused sequence): its entry stays.
      if (this.liveByVaaId.get(record.vaaKey) === record.id) this.liveByVaaId.delete(record.vaaKey);
      const emitter = this.ids.emitter[record.id]!;
      if (emitter !== 0) this.vaaIds.remember(emitter, this.ids.sequence[record.id]!, record.id);
    }
    this.onFinal?.(record);
  }

  private checkOrder(record: MessageRecord): void {
    const emitter = this.ids.emitter[record.id]!;
    if (emitter !== 0 && this.vaaIds.deliveredOutOfOrder(emitter, this.ids.sequence[record.id]!, record.destinationChain)) record.outOfOrder = true;
  }

  /** Submissions go out but no delivery is recognised (an event that never matches): said as an anomaly, not as silent drops. */
  deliveriesUnrecognised = (detail: string) => this.anomaly({ at: this.elapsed(), kind: "deliveries-unrecognised", detail });

  /** Its VAA reached quorum only with signatures given on re-observation requests: late, not lost (Wormhole). */
  reobserved = (id: number, at: number, detail: string) => this.anomaly({ at: this.elapsed(at), kind: "reobserved-vaa", messageId: id, detail });

  private anomaly(a: Anomaly): void {
    if (a.messageId !== undefined && a.messageId < this.ids.stage.length) a.stage = this.ids.stage[a.messageId];
    this.onAnomaly?.(a);
  }

  /** A live record by id; an event for a message not in flight is reported, not thrown. */
  private match(id: number): MessageRecord | undefined {
    const record = this.live.get(id);
    if (!record && this.ids.finishedCode(id) === Finished.No) {
      this.anomaly({ at: this.elapsed(), kind: "unmatched", messageId: id, detail: "event for a message this run did not plan" });
    }
    return record;
  }

  private liveByKey(key: string): MessageRecord | undefined {
    const id = this.liveByVaaId.get(key);
    return id === undefined ? undefined : this.live.get(id);
  }
}
