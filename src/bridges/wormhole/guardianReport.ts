import type { Ledger } from "../../measure/ledger.ts";
import { GuardianDelays, type GuardianDelayRow } from "../../measure/guardianDelays.ts";
import { TALLY_RETENTION_MS, type GuardianNetwork } from "./guardians/guardianNetwork.ts";
import type { SignatureRecord } from "./guardians/records.ts";
import { vaaKey } from "./vaa.ts";

/** How long a VAA id's stage is kept after its VAA formed, for signatures that arrive after quorum: past the network's own tally retention. */
const STAGE_KEPT_MS = TALLY_RETENTION_MS + 60_000;

/**
 * guardians.csv's data: every signature that reached the aggregation point, counted into its
 * message's stage and its guardian (GuardianDelays). A signature names its message by VAA id;
 * the stage comes from the message the VAA carries (its payload's message id, in the ledger).
 * Signatures that arrive before their VAA forms wait here until it does; those of messages that
 * never reach quorum wait until the end of the run, when the ledger's in-flight records (linked
 * to their VAA ids by the harness's own watcher) name their stages. Memory: the histograms
 * (fixed per stage and guardian), the stages of VAA ids of the last STAGE_KEPT_MS, and the
 * signatures of messages still short of quorum.
 */
export class SignatureLog {
  readonly delays = new GuardianDelays();
  /** Signatures that named no message this run knew, left out of guardians.csv. */
  unattributed = 0;
  private readonly stageByKey = new Map<string, number>();
  /** VAA ids in the order their stage was learnt, with when: forgotten after STAGE_KEPT_MS. */
  private learnt: Array<{ key: string; at: number }> = [];
  private learntHead = 0;
  private readonly pending = new Map<string, SignatureRecord[]>();

  /** One signature reached the aggregation point. */
  signature(record: SignatureRecord): void {
    const stage = this.stageByKey.get(record.key);
    if (stage !== undefined) return this.count(stage, record);
    const waiting = this.pending.get(record.key);
    if (waiting) waiting.push(record);
    else this.pending.set(record.key, [record]);
  }

  /** The VAA of `key` formed at `at` for a message of `stage` (undefined: a message the ledger no longer has in flight). */
  vaa(key: string, stage: number | undefined, at: number): void {
    if (stage === undefined) return;
    this.forget(at);
    this.stageByKey.set(key, stage);
    this.learnt.push({ key, at });
    for (const record of this.pending.get(key) ?? []) this.count(stage, record);
    this.pending.delete(key);
  }

  /**
   * End of the run: signatures still waiting are counted into the stages `stageOf` gives their
   * VAA ids (the ledger's in-flight messages); the rest are unattributed.
   */
  settle(stageOf: (key: string) => number | undefined): void {
    for (const [key, records] of this.pending) {
      const stage = this.stageByKey.get(key) ?? stageOf(key);
      if (stage === undefined) this.unattributed += records.length;
      else for (const record of records) this.count(stage, record);
    }
    this.pending.clear();
  }

  private count(stage: number, r: SignatureRecord): void {
    this.delays.record(stage, r.guardianIndex, r.region, r.observedAt - r.seenAt, r.arrivedAt - r.seenAt, r.reobserved);
  }

  private forget(at: number): void {
    const learnt = this.learnt;
    while (this.learntHead < learnt.length && learnt[this.learntHead]!.at < at - STAGE_KEPT_MS) {
      this.stageByKey.delete(learnt[this.learntHead++]!.key);
    }
    // Array.shift is O(n): the head advances, and the array is cut now and then.
    if (this.learntHead > 4096 && this.learntHead * 2 > learnt.length) {
      this.learnt = learnt.slice(this.learntHead);
      this.learntHead = 0;
    }
  }
}

/**
 * Records a run's signatures from `network` into a SignatureLog, with stages from `ledger`
 * (`decode` gives a VAA payload's message id). `settle()` counts the signatures still waiting
 * into the stages of the ledger's in-flight messages: call it before messages short of quorum
 * are dropped; `rows()` (guardians.csv) settles whatever arrived since.
 */
export function watchSignatures(network: GuardianNetwork, ledger: Ledger, decode: (payload: Uint8Array) => number) {
  const log = new SignatureLog();
  network.on("signature", (record) => log.signature(record));
  network.on("vaa", (vaa) => {
    const stage = ledger.get(decode(vaa.payload))?.stage;
    log.vaa(vaaKey(vaa.emitterChain, vaa.emitterAddress, vaa.sequence), stage, vaa.readyAt);
  });
  const settle = () => {
    const inFlight = new Map<string, number>();
    for (const r of ledger.inFlightRecords()) if (r.vaaKey) inFlight.set(r.vaaKey, r.stage);
    log.settle((key) => inFlight.get(key));
  };
  return {
    log,
    settle,
    rows(): Iterable<GuardianDelayRow> {
      settle();
      return log.delays.rows();
    },
  };
}
