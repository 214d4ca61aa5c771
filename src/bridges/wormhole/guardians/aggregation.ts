import { hexToBytes, type Address, type Hex } from "viem";
import { now } from "../../../infra/clock.ts";
import { recoverSigner, serializeVaa, vaaKey, type GuardianSignature } from "../vaa.ts";
import type { Observation } from "./guardian.ts";
import type { SignatureRecord } from "./records.ts";
import type { Reobservation } from "./reobservation.ts";
import type { SignerPool } from "./signerPool.ts";
import type { GossipTopology } from "./topology.ts";
import type { SignedVaa, VaaStore } from "./vaaStore.ts";

/** One message: a VAA id as published in one block (after a reorg a sequence may be another message's). */
const messageOf = (key: string, blockHash: Hex) => `${key}@${blockHash.toLowerCase()}`;

/** A guardian whose observation was refused: another body signed for a message, or a signature not from its key. */
export interface Misbehaviour {
  guardianIndex: number;
  key: string;
  what: "body" | "key";
  detail: string;
}

export interface AggregationOptions {
  quorum: number;
  /** The guardian set's addresses, by index: a carried signature must recover to its guardian's. */
  addresses: Address[];
  guardianSetIndex: number;
  tallyRetentionMs: number;
  store: VaaStore;
  signer: SignerPool;
  topology: GossipTopology;
  reobservation: Reobservation | undefined;
  /** False once the network stopped: a signature made after that makes no VAA. */
  running: () => boolean;
  /** Whether anyone takes the signature records (each costs an object). */
  recordsSignatures: () => boolean;
  signature: (record: SignatureRecord) => void;
  misbehaved: (m: Misbehaviour) => void;
  vaa: (vaa: SignedVaa) => void;
  /** Gets the observation skew of each tally forgotten. */
  skew: (firstAt: number, skew: number) => void;
}

export interface Tally {
  /** Guardians whose observation (and so signature) arrived so far, in arrival order; signatures are made only for the quorum that goes into the VAA. */
  signers: number[];
  /** Every guardian whose observation arrived, withheld signatures included: the ones that can ask for re-observation. */
  observers: Set<number>;
  /** Signers that signed on a re-observation request. */
  reobserved: Set<number>;
  firstObservedAt: number;
  /** When the last guardian so far saw the message with its own watcher: last − first is the observation skew. */
  lastObservedAt: number;
  done: boolean;
  /** The first observation: the body every signature in this tally signs. */
  observation: Observation;
}

/**
 * The aggregation point: the guardian whose VAA API the relayers read. Signatures arriving
 * through gossip are gathered per body digest (a tally); a VAA exists once one gossip group
 * holds a quorum, carrying the first `quorum` signatures, made then on the signing thread.
 * Bodies that differ for one VAA id never mix: each has its own tally, and once one forms the
 * VAA the guardians of the others are reported as having signed another body.
 */
export class Aggregation {
  readonly tallies = new Map<Hex, Tally>();
  /** Digests of the tallies kept per message (VAA id and block): more than one means some guardian signed another body. */
  private readonly digestsOf = new Map<string, Hex[]>();
  /** Tallies with quorum, oldest first from the head index, to forget after their retention. */
  private doneOrder: Hex[] = [];
  private doneHead = 0;
  /** Guardians that observe and report but keep their signatures to themselves (a fault). */
  readonly withholding = new Set<number>();
  /** Gossip groups while partitioned: signatures only reach guardians of the same group. */
  private groups: number[][] | undefined;

  constructor(private readonly options: AggregationOptions) {}

  /**
   * Splits gossip into groups of guardian indices (a network partition); undefined heals
   * it, and signatures held on both sides then meet, which may complete quorums.
   */
  partition(groups: number[][] | undefined): void {
    this.groups = groups;
    if (groups) return;
    for (const [digest, tally] of this.tallies) if (!tally.done) this.tryAssemble(digest, tally);
  }

  /** One guardian's signature arrives. */
  receive(o: Observation, arrivedAt: number): void {
    const { options } = this;
    const key = vaaKey(o.body.emitterChain, o.body.emitterAddress, o.body.sequence);
    if (o.signature && recoverSigner(hexToBytes(o.digest), o.signature) !== options.addresses[o.guardianIndex]) {
      const detail = `guardian ${o.guardianIndex}'s signature of ${key} does not recover to its key in the guardian set`;
      return options.misbehaved({ guardianIndex: o.guardianIndex, key, what: "key", detail });
    }
    // A withholding guardian observed but keeps its signature: nothing of it arrives.
    if (options.recordsSignatures() && !this.withholding.has(o.guardianIndex)) {
      const { guardianIndex, digest, observedAt, reobserved } = o;
      const region = options.topology.regionOf(guardianIndex);
      options.signature({ key, payload: o.seen.body.payload, digest, guardianIndex, region, seenAt: o.seen.observedAt, observedAt, arrivedAt, reobserved });
    }
    let tally = this.tallies.get(o.digest);
    if (!tally) {
      const signed = options.store.get(key);
      // Observed so late that the message's tally was already forgotten: its VAA exists, nothing to add.
      if (signed?.hash === o.digest) return;
      // Another body for the message of that VAA, seen in the same block, is another body signed. (A
      // sequence used again after a reorg is another message, in another block: it gets a tally of its own.)
      if (signed && signed.blockHash === o.seen.blockHash) {
        const detail = `guardian ${o.guardianIndex} signed a body for ${key} other than its VAA's`;
        return options.misbehaved({ guardianIndex: o.guardianIndex, key, what: "body", detail });
      }
      tally = {
        signers: [],
        observers: new Set(),
        reobserved: new Set(),
        firstObservedAt: o.observedAt,
        lastObservedAt: o.observedAt,
        done: false,
        observation: o,
      };
      this.tallies.set(o.digest, tally);
      const message = messageOf(key, o.seen.blockHash);
      this.digestsOf.set(message, [...(this.digestsOf.get(message) ?? []), o.digest]);
      options.reobservation?.track(o.digest, o.txHash, o.observedAt);
    }
    tally.observers.add(o.guardianIndex);
    tally.firstObservedAt = Math.min(tally.firstObservedAt, o.observedAt);
    if (!o.reobserved) tally.lastObservedAt = Math.max(tally.lastObservedAt, o.observedAt);
    if (this.withholding.has(o.guardianIndex)) return;
    if (tally.done || tally.signers.includes(o.guardianIndex)) return;
    tally.signers.push(o.guardianIndex);
    if (o.reobserved) tally.reobserved.add(o.guardianIndex);
    this.tryAssemble(o.digest, tally);
  }

  /** A tally re-observation gave up: forgotten. */
  forget(digest: Hex): void {
    const tally = this.tallies.get(digest);
    if (!tally) return;
    this.tallies.delete(digest);
    const b = tally.observation.body;
    const message = messageOf(vaaKey(b.emitterChain, b.emitterAddress, b.sequence), tally.observation.seen.blockHash);
    const left = (this.digestsOf.get(message) ?? []).filter((d) => d !== digest);
    if (left.length) this.digestsOf.set(message, left);
    else this.digestsOf.delete(message);
  }

  /** Assembles the VAA once one gossip group holds a quorum of signatures. */
  private tryAssemble(digest: Hex, tally: Tally): void {
    const { quorum, reobservation } = this.options;
    // Nineteen signatures arrive per message: most calls end here, before any list is built.
    if (tally.signers.length < quorum) return;
    const groups = this.groups ?? [tally.signers];
    const signers = groups.map((group) => tally.signers.filter((g) => group.includes(g))).find((inGroup) => inGroup.length >= quorum);
    if (!signers) return;

    tally.done = true;
    this.doneOrder.push(digest);
    const reobservationRequests = reobservation?.waiting(tally.observation.txHash)?.requests ?? 0;
    reobservation?.done(digest);
    const chosen = signers.slice(0, quorum);
    const reobservedSignatures = chosen.filter((g) => tally.reobserved.has(g)).length;
    tally.signers = [];
    void this.options.signer.sign(hexToBytes(digest), chosen).then((made) => {
      if (!this.options.running()) return;
      const signatures = chosen.map((guardianIndex, i) => ({ guardianIndex, signature: made[i]! }));
      this.assemble(digest, tally, signatures, { reobservedSignatures, reobservationRequests });
    });
  }

  private assemble(
    digest: Hex,
    tally: Tally,
    signatures: GuardianSignature[],
    reobserved: Pick<SignedVaa, "reobservedSignatures" | "reobservationRequests">,
  ): void {
    const { options } = this;
    const o = tally.observation;
    const vaa: SignedVaa = {
      emitterChain: o.body.emitterChain,
      emitterAddress: o.body.emitterAddress,
      sequence: o.body.sequence,
      txHash: o.txHash,
      payload: o.body.payload,
      bytes: serializeVaa({ guardianSetIndex: options.guardianSetIndex, signatures, bodyBytes: o.bodyBytes }),
      hash: digest,
      blockHash: o.seen.blockHash,
      firstObservedAt: tally.firstObservedAt,
      readyAt: now(),
      ...reobserved,
    };
    this.forgetOld(vaa.readyAt);
    options.store.add(vaa);
    // Tallies of other bodies for the same message: their guardians signed what the quorum did not.
    const key = vaaKey(vaa.emitterChain, vaa.emitterAddress, vaa.sequence);
    const message = messageOf(key, vaa.blockHash);
    for (const other of this.digestsOf.get(message) ?? []) {
      const t = this.tallies.get(other);
      if (other === digest || !t) continue;
      for (const g of t.observers) {
        options.misbehaved({
          guardianIndex: g,
          key,
          what: "body",
          detail: `guardian ${g} signed a body for ${key} other than the one ${options.quorum} guardians signed`,
        });
      }
      this.tallies.delete(other);
      options.reobservation?.done(other);
    }
    this.digestsOf.delete(message);
    options.vaa(vaa);
  }

  /**
   * Forgets tallies with quorum whose last observation is more than the tally retention before
   * `at` (their skew goes on). The queue is in signing order; a tally a late guardian still
   * observes waits at the head.
   */
  private forgetOld(at: number): void {
    const tallyCut = at - this.options.tallyRetentionMs;
    const done = this.doneOrder;
    while (this.doneHead < done.length) {
      const tally = this.tallies.get(done[this.doneHead]!);
      if (tally && tally.lastObservedAt >= tallyCut) break;
      this.doneHead++;
      if (!tally) continue;
      this.tallies.delete(done[this.doneHead - 1]!);
      this.options.skew(tally.firstObservedAt, tally.lastObservedAt - tally.firstObservedAt);
    }
    // Array.shift is O(n): the head advances, and the array is cut now and then.
    if (this.doneHead > 4096 && this.doneHead * 2 > done.length) {
      this.doneOrder = done.slice(this.doneHead);
      this.doneHead = 0;
    }
  }
}
