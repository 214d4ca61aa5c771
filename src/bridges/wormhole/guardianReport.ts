import type { Ledger } from "../../measure/ledger.ts";
import { GuardianDelays, type GuardianDelayRow } from "../../measure/guardianDelays.ts";
import type { GuardianNetwork } from "./guardians/guardianNetwork.ts";
import type { SignatureRecord } from "./guardians/records.ts";

/**
 * guardians.csv's data: every signature that reached the aggregation point, counted into its
 * message's stage and its guardian (GuardianDelays) as it arrives. Memory: the histograms, fixed
 * per stage and guardian, however long the run.
 */
export class SignatureLog {
  readonly delays = new GuardianDelays();
  /** Signatures that named no message this run planned, left out of guardians.csv. */
  unattributed = 0;

  /** One signature reached the aggregation point, for a message of `stage` (undefined: no message of this run). */
  signature(r: SignatureRecord, stage: number | undefined): void {
    if (stage === undefined) this.unattributed++;
    else this.delays.record(stage, r.guardianIndex, r.region, r.observedAt - r.seenAt, r.arrivedAt - r.seenAt, r.reobserved);
  }
}

/**
 * Records a run's signatures from `network` into a SignatureLog: a signature's stage is that of
 * the message its payload carries (`decode` gives the message id), which the ledger knows from
 * plan() on, in flight or finished.
 */
export function watchSignatures(network: Pick<GuardianNetwork, "on">, ledger: Pick<Ledger, "stageOf">, decode: (payload: Uint8Array) => number) {
  const log = new SignatureLog();
  // Every guardian's signature of a message carries the one payload its shared poller read: decoded once.
  const ids = new WeakMap<Uint8Array, number | undefined>();
  const idOf = (payload: Uint8Array) => {
    if (ids.has(payload)) return ids.get(payload);
    let id: number | undefined;
    try {
      id = decode(payload);
    } catch {
      id = undefined;
    }
    ids.set(payload, id);
    return id;
  };
  network.on("signature", (record) => {
    const id = idOf(record.payload);
    log.signature(record, id === undefined ? undefined : ledger.stageOf(id));
  });
  return { log, rows: (): Iterable<GuardianDelayRow> => log.delays.rows() };
}
