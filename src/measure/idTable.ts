/** How a message that left the ledger ended (0: it has not). */
export enum Finished {
  No = 0,
  Delivered = 1,
  Dropped = 2,
  /** Dropped because its source transaction was rolled back; a later delivery is a phantom. */
  RolledBack = 3,
  /** Delivered although its source transaction was rolled back (counted once). */
  Phantom = 4,
}

/**
 * What the ledger keeps per message id for the whole run, in typed arrays indexed by id
 * (ids are dense from 0) and doubled as ids grow: a few bytes a message, so a long run's
 * finished messages cost no objects.
 */
export class IdTable {
  /** How it ended (a Finished code). */
  finished = new Uint8Array(1024);
  /** Its load stage, from plan() on. */
  stage = new Uint16Array(1024);
  /** Its VAA id's emitter number (0: none, or not a sequence) and sequence, parsed once. */
  emitter = new Uint16Array(1024);
  sequence = new Float64Array(1024);

  /** Makes room for `id`. */
  grow(id: number): void {
    if (id < this.finished.length) return;
    let size = this.finished.length;
    while (size <= id) size *= 2;
    const widen = <A extends Uint8Array | Uint16Array | Float64Array>(a: A): A => {
      const wider = new (a.constructor as new (length: number) => A)(size);
      wider.set(a);
      return wider;
    };
    [this.finished, this.stage, this.emitter, this.sequence] = [widen(this.finished), widen(this.stage), widen(this.emitter), widen(this.sequence)];
  }

  finishedCode(id: number): Finished {
    return id < this.finished.length ? (this.finished[id] as Finished) : Finished.No;
  }
}
