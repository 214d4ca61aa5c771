/**
 * Finished messages by VAA id ("emitter chain/emitter/sequence", or "ibc/channel/sequence"),
 * without a string-keyed map entry per message.
 *
 * A run has a handful of emitters and each one's sequences count up, so each emitter gets a
 * ring of slots indexed by sequence modulo its size: remembering a finished message writes
 * two numbers, and nothing has to be forgotten on a timer. A finished message stays known
 * until a sequence RING_SLOTS later of its emitter takes its slot. The ledger parses a VAA id
 * once, when it learns it, and keeps the emitter and sequence by message id.
 */
export class VaaIdIndex {
  private readonly byPrefix = new Map<string, Emitter>();
  private readonly emitters: Emitter[] = [];
  /** What the last parse() found: no object is made per call. */
  emitter = 0;
  sequence = 0;

  /**
   * Splits `key` into its emitter (numbered from 1, made on first sight) and sequence, into
   * `emitter` and `sequence`. False for an id that does not end in "/" and 1–15 decimal
   * digits (a relayer under test may report anything); 15 digits stay exact below 2^53.
   */
  parse(key: string, create: boolean): boolean {
    const cut = key.lastIndexOf("/");
    const end = key.length;
    if (cut < 0 || end - cut - 1 < 1 || end - cut - 1 > 15) return false;
    let sequence = 0;
    for (let i = cut + 1; i < end; i++) {
      const digit = key.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return false;
      sequence = sequence * 10 + digit;
    }
    const prefix = key.slice(0, cut + 1);
    let emitter = this.byPrefix.get(prefix);
    if (emitter === undefined) {
      // Emitter numbers are kept in 16 bits per message: past that, ids are treated as unparsed.
      if (!create || this.emitters.length >= 0xffff) return false;
      emitter = new Emitter(this.emitters.length + 1);
      this.emitters.push(emitter);
      this.byPrefix.set(prefix, emitter);
    }
    this.emitter = emitter.number;
    this.sequence = sequence;
    return true;
  }

  /** Message `id` (finished) had sequence `sequence` of emitter `emitter`. */
  remember(emitter: number, sequence: number, id: number): void {
    const ring = this.emitters[emitter - 1]!;
    const slot = sequence % RING_SLOTS;
    ring.sequences[slot] = sequence;
    ring.ids[slot] = id + 1;
  }

  /** The finished message that had this emitter's sequence, if still remembered. */
  find(emitter: number, sequence: number): number | undefined {
    const ring = this.emitters[emitter - 1]!;
    const slot = sequence % RING_SLOTS;
    return ring.ids[slot] !== 0 && ring.sequences[slot] === sequence ? ring.ids[slot]! - 1 : undefined;
  }

  /**
   * A delivery of an emitter's sequence to `destination`: true when a higher sequence of the
   * same emitter was delivered there before (out of order), else it becomes the highest.
   */
  deliveredOutOfOrder(emitter: number, sequence: number, destination: string): boolean {
    const highest = this.emitters[emitter - 1]!.highest;
    const before = highest.get(destination);
    if (before !== undefined && sequence < before) return true;
    highest.set(destination, sequence);
    return false;
  }
}

/** Slots in an emitter's ring (2 MB): how many later sequences a finished message is remembered for, at least. */
export const RING_SLOTS = 1 << 17;

class Emitter {
  readonly sequences = new Float64Array(RING_SLOTS);
  /** Message id + 1 per slot; 0 for an empty slot. */
  readonly ids = new Float64Array(RING_SLOTS);
  /** Highest sequence delivered, per destination chain. */
  readonly highest = new Map<string, number>();

  constructor(readonly number: number) {}
}
