import { EventEmitter } from "node:events";
import { hexToBytes, type Hex } from "viem";
import type { Instance, InstanceStatus } from "../../../infra/instance.ts";
import { Lifecycle } from "../../../infra/lifecycle.ts";
import { now } from "../../../infra/clock.ts";
import { Guardian, type Observation, type WatchedChain } from "./guardian.ts";
import { ChainViews, type ChainViewOptions } from "./chainView.ts";
import type { GuardianKey } from "./guardianKeys.ts";
import { quorum, serializeVaa, vaaKey, type GuardianSignature } from "../vaa.ts";
import { SignerPool } from "./signerPool.ts";

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
  /** When the first guardian saw the message on its source chain. */
  firstObservedAt: number;
  /** When the quorum-th signature arrived. */
  readyAt: number;
}

export interface GuardianNetworkEvents {
  /** One guardian observed (and signed) a message: for observation-skew measurement. */
  observed: [{ digest: Hex; guardianIndex: number; at: number }];
  vaa: [SignedVaa];
}

export interface GuardianNetworkOptions {
  chains: WatchedChain[];
  /** TEST-ONLY guardian keys; their order is the guardian set's order. */
  guardianKeys: GuardianKey[];
  guardianSetIndex?: number;
  /** Head polling interval of the guardians' chain observers, ms. [20] */
  pollIntervalMs?: number;
  /** Each guardian's view of the chains: lags, own links, heartbeats (chainView.ts). [no lag, no own link, 1 s] */
  views?: Pick<ChainViewOptions, "lagsMs" | "ownLinks" | "heartbeatMs">;
  /** How long a signed VAA stays available (by id and by transaction) after it was signed, ms. [VAA_RETENTION_MS] */
  vaaRetentionMs?: number;
  /** How long a message's signature tally is kept after quorum and its last observation, ms. [TALLY_RETENTION_MS] */
  tallyRetentionMs?: number;
}

/**
 * Signed VAAs are served for 5 minutes (a Wormhole run: longer when a fault lasts longer): a
 * relayer fetches within seconds of signing and retries for well under that. The store is
 * bounded by the retention times the rate a chain can include, however long a soak run
 * lasts.
 */
export const VAA_RETENTION_MS = 5 * 60_000;
/** A tally lives 2 minutes past quorum and its last observation, for guardians that observe late (guardian-delay faults). */
export const TALLY_RETENTION_MS = 2 * 60_000;

/**
 * The VAA retention for a run whose faults last `faultSeconds` each: a fault may keep the
 * relayer from the VAA API (an outage, a partition, a restart) longer than the usual
 * retention, so the VAAs signed as it began stay served until 2 minutes after it ends.
 */
export function vaaRetentionFor(faultSeconds: number[]): number {
  return Math.max(VAA_RETENTION_MS, ...faultSeconds.map((s) => s * 1000 + 120_000));
}

interface Tally {
  /** Guardians whose observation (and so signature) arrived so far, in arrival order; signatures are made only for the quorum that goes into the VAA. */
  signers: number[];
  firstObservedAt: number;
  /** When the last guardian so far saw the message: last − first is the observation skew. */
  lastObservedAt: number;
  done: boolean;
  /** The first observation: the body every signature in this tally signs. */
  observation: Observation;
}

/**
 * G simulated guardians and the gossip between them, in this process. One observer per
 * source chain (see ChainObserver) hands each message to every guardian, through the
 * guardian's view of it (ChainViews: its lag, or a poller of its own), once its block
 * reached its consistency level; each guardian signs on its own, after its own observation
 * delay; signatures are gathered per body digest and a VAA exists once quorum is reached,
 * carrying the first `quorum` signatures. Only those are computed, on a worker thread
 * (SignerPool): what the signatures that arrive after quorum would cost each guardian is
 * paid by no one here, and the main thread stays free for the load and the observers.
 *
 * Signing uses libsecp256k1 through the native `secp256k1` package: ~13–20 k signatures/s
 * per core, so 13 signatures a VAA are ~1,000–1,500 messages/s on one thread. Pure-JS signing (noble)
 * caps a 13–19-signature network near 100–200 VAAs/s on 2 cores, below the rates the
 * scenarios offer, so it would make the harness the bottleneck it reports.
 */
export class GuardianNetwork extends EventEmitter<GuardianNetworkEvents> implements Instance {
  readonly name = "guardian-network";
  readonly guardians: Guardian[];
  /** The guardians' views of the source chains, on one shared poller per chain (ChainViews). */
  readonly views: ChainViews;
  readonly quorum: number;
  private readonly tallies = new Map<Hex, Tally>();
  private readonly byId = new Map<string, SignedVaa>();
  private readonly byTx = new Map<Hex, SignedVaa[]>();
  /** Signed VAAs and tallies with quorum, oldest first from the head index, to forget after their retention. */
  private signedOrder: SignedVaa[] = [];
  private signedHead = 0;
  private doneOrder: Hex[] = [];
  private doneHead = 0;
  /**
   * Gets the observation skew of each message whose tally is forgotten (times from clock.now());
   * observationSkews() gives the ones still kept.
   */
  onSkew: ((firstAt: number, skew: number) => void) | undefined;
  /** Makes the quorum's signatures off the main thread. */
  private readonly signer: SignerPool;
  private readonly life = new Lifecycle({ name: this.name, start: () => this.open(), stop: () => this.close() });

  constructor(private readonly options: GuardianNetworkOptions) {
    super();
    this.quorum = quorum(options.guardianKeys.length);
    const keys: Uint8Array[] = [];
    for (const key of options.guardianKeys) keys[key.index] = key.privateKey;
    this.signer = new SignerPool(keys);
    this.guardians = options.guardianKeys.map((key) => new Guardian({ key, gossip: (o) => this.receive(o) }));
    this.views = new ChainViews({ chains: options.chains, guardians: this.guardians, pollIntervalMs: options.pollIntervalMs, ...options.views });
  }

  /** True while the quorum's signatures are made on the signing thread, not the main one. */
  get signsOnThread(): boolean {
    return this.signer.onThread;
  }

  /** In-process and silent: its `observed` and `vaa` events are the record. */
  logs(): string[] {
    return [];
  }

  get status(): InstanceStatus {
    return this.life.status;
  }

  start(): Promise<void> {
    return this.life.start();
  }

  stop(): Promise<void> {
    return this.life.stop();
  }

  private async open(): Promise<void> {
    this.signer.start();
    await this.views.start();
  }

  private async close(): Promise<void> {
    await this.views.stop();
    for (const guardian of this.guardians) guardian.stop();
    await this.signer.stop();
  }

  /**
   * Observation skew of every message whose tally is still kept (the others went to onSkew):
   * from the first to the last guardian that saw it (times from clock.now()). Guardians that
   * never saw it do not count.
   */
  *observationSkews(): Generator<{ firstAt: number; skew: number }> {
    for (const tally of this.tallies.values()) yield { firstAt: tally.firstObservedAt, skew: tally.lastObservedAt - tally.firstObservedAt };
  }

  /** A signed VAA by its id, or undefined while it has no quorum. */
  get(emitterChain: number, emitterAddress: Hex, sequence: bigint): SignedVaa | undefined {
    return this.byId.get(vaaKey(emitterChain, emitterAddress, sequence));
  }

  /** Signed VAAs of the messages a source transaction published. */
  byTxHash(txHash: Hex): SignedVaa[] {
    return this.byTx.get(txHash.toLowerCase() as Hex) ?? [];
  }

  /** Guardians that observe and report but keep their signatures to themselves (a fault). */
  readonly withholding = new Set<number>();
  /** Gossip groups while partitioned: signatures only reach guardians of the same group. */
  private groups: number[][] | undefined;

  /**
   * Splits gossip into groups of guardian indices (a network partition); undefined heals
   * it, and signatures held on both sides then meet, which may complete quorums.
   */
  partition(groups: number[][] | undefined): void {
    this.groups = groups;
    if (groups) return;
    for (const [digest, tally] of this.tallies) if (!tally.done) this.tryAssemble(digest, tally);
  }

  /** Gossip: one guardian's signature arrives. */
  private receive(o: Observation): void {
    const at = now();
    if (this.listenerCount("observed")) this.emit("observed", { digest: o.digest, guardianIndex: o.guardianIndex, at });
    let tally = this.tallies.get(o.digest);
    if (!tally) {
      // A guardian observing so late that the message's tally was already forgotten: its VAA exists, nothing to add.
      if (this.byId.get(vaaKey(o.body.emitterChain, o.body.emitterAddress, o.body.sequence))?.hash === o.digest) return;
      tally = { signers: [], firstObservedAt: o.observedAt, lastObservedAt: o.observedAt, done: false, observation: o };
      this.tallies.set(o.digest, tally);
    }
    tally.firstObservedAt = Math.min(tally.firstObservedAt, o.observedAt);
    tally.lastObservedAt = Math.max(tally.lastObservedAt, o.observedAt);
    if (this.withholding.has(o.guardianIndex)) return;
    if (tally.done || tally.signers.includes(o.guardianIndex)) return;
    tally.signers.push(o.guardianIndex);
    this.tryAssemble(o.digest, tally);
  }

  /** Assembles the VAA once one gossip group holds a quorum of signatures. */
  private tryAssemble(digest: Hex, tally: Tally): void {
    // Nineteen signatures arrive per message: most calls end here, before any list is built.
    if (tally.signers.length < this.quorum) return;
    const groups = this.groups ?? [tally.signers];
    const signers = groups.map((group) => tally.signers.filter((g) => group.includes(g))).find((inGroup) => inGroup.length >= this.quorum);
    if (!signers) return;

    tally.done = true;
    this.doneOrder.push(digest);
    const chosen = signers.slice(0, this.quorum);
    tally.signers = [];
    void this.signer.sign(hexToBytes(digest), chosen).then((made) => {
      if (this.status === "stopped") return;
      this.assemble(
        digest,
        tally,
        chosen.map((guardianIndex, i) => ({ guardianIndex, signature: made[i]! })),
      );
    });
  }

  private assemble(digest: Hex, tally: Tally, signed: GuardianSignature[]): void {
    const o = tally.observation;
    const bytes = serializeVaa({ guardianSetIndex: this.options.guardianSetIndex ?? 0, signatures: signed, bodyBytes: o.bodyBytes });
    const vaa: SignedVaa = {
      emitterChain: o.body.emitterChain,
      emitterAddress: o.body.emitterAddress,
      sequence: o.body.sequence,
      txHash: o.txHash,
      payload: o.body.payload,
      bytes,
      hash: digest,
      firstObservedAt: tally.firstObservedAt,
      readyAt: now(),
    };
    this.forgetOld(vaa.readyAt);
    this.byId.set(vaaKey(vaa.emitterChain, vaa.emitterAddress, vaa.sequence), vaa);
    const tx = vaa.txHash.toLowerCase() as Hex;
    this.byTx.set(tx, [...(this.byTx.get(tx) ?? []), vaa]);
    this.signedOrder.push(vaa);
    this.emit("vaa", vaa);
  }

  /**
   * Forgets VAAs signed more than the VAA retention before `at`, and tallies with quorum whose
   * last observation is more than the tally retention before it (their skew goes to onSkew).
   * Both queues are in signing order; a tally a late guardian still observes waits at the head.
   */
  private forgetOld(at: number): void {
    const vaaCut = at - (this.options.vaaRetentionMs ?? VAA_RETENTION_MS);
    const signed = this.signedOrder;
    while (this.signedHead < signed.length && signed[this.signedHead]!.readyAt < vaaCut) {
      const vaa = signed[this.signedHead]!;
      signed[this.signedHead++] = undefined as unknown as SignedVaa;
      const key = vaaKey(vaa.emitterChain, vaa.emitterAddress, vaa.sequence);
      // A sequence reused after a reorg may have a newer VAA under the same id: that one stays.
      if (this.byId.get(key) === vaa) this.byId.delete(key);
      const tx = vaa.txHash.toLowerCase() as Hex;
      const left = (this.byTx.get(tx) ?? []).filter((v) => v !== vaa);
      if (left.length) this.byTx.set(tx, left);
      else this.byTx.delete(tx);
    }
    const tallyCut = at - (this.options.tallyRetentionMs ?? TALLY_RETENTION_MS);
    const done = this.doneOrder;
    while (this.doneHead < done.length) {
      const tally = this.tallies.get(done[this.doneHead]!);
      if (tally && tally.lastObservedAt >= tallyCut) break;
      this.doneHead++;
      if (!tally) continue;
      this.tallies.delete(done[this.doneHead - 1]!);
      this.onSkew?.(tally.firstObservedAt, tally.lastObservedAt - tally.firstObservedAt);
    }
    // Array.shift is O(n): heads advance, and the arrays are cut now and then.
    if (this.signedHead > 4096 && this.signedHead * 2 > signed.length) {
      this.signedOrder = signed.slice(this.signedHead);
      this.signedHead = 0;
    }
    if (this.doneHead > 4096 && this.doneHead * 2 > done.length) {
      this.doneOrder = done.slice(this.doneHead);
      this.doneHead = 0;
    }
  }
}
