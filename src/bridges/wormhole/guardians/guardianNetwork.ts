import { EventEmitter } from "node:events";
import type { Hex } from "viem";
import { rpc } from "../../../infra/rpc.ts";
import { seededRandom } from "../../../infra/random.ts";
import type { Instance, InstanceStatus } from "../../../infra/instance.ts";
import { Lifecycle } from "../../../infra/lifecycle.ts";
import { now } from "../../../infra/clock.ts";
import { Guardian, type Observation, type SeenMessage, type WatchedChain } from "./guardian.ts";
import { ChainViews, type ChainViewOptions } from "./chainView.ts";
import type { GuardianKey } from "./guardianKeys.ts";
import { quorum, vaaKey } from "../vaa.ts";
import { Aggregation, type Misbehaviour } from "./aggregation.ts";
import { Gossip } from "./gossip.ts";
import type { SignatureRecord } from "./records.ts";
import { Reobservation, type Unconfirmed } from "./reobservation.ts";
import { SignerPool } from "./signerPool.ts";
import { FLAT_TOPOLOGY, type GossipTopology } from "./topology.ts";
import { VaaStore, type SignedVaa } from "./vaaStore.ts";

export interface GuardianNetworkEvents {
  /** One guardian observed (and signed) a message: `at` is when it published its observation (clock.now()). */
  observed: [{ digest: Hex; guardianIndex: number; at: number }];
  /** One guardian's signature reached the aggregation point (guardians.csv). */
  signature: [SignatureRecord];
  /** A guardian's observation was refused: it signed another body for a message, or with a key not its own. */
  misbehaved: [Misbehaviour];
  vaa: [SignedVaa];
}

/** Where a message without quorum stands, for its drop reason at the end of a run. */
export type QuorumState =
  | { state: "waiting"; signatures: number; requests: number; nextRequestInMs: number }
  | { state: "given-up"; signatures: number; afterMs: number };

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
  /** Observation batching before gossip (see Gossip). [off: each observation at once] */
  batching?: { maxDelayMs: number; maxSize: number };
  /** Where the guardians sit and how long their gossip takes. [FLAT_TOPOLOGY] */
  topology?: GossipTopology;
  /** Re-observation of messages short of quorum (see Reobservation). [off] */
  reobservation?: { firstRetryMs: number; giveUpAfterMs: number };
  /** Seed of the re-observation back-off's jitter. [0] */
  seed?: number;
}

/** What a scenario sets of the network's behaviour (guardians/settings.ts). */
export type GuardianBehaviour = Pick<GuardianNetworkOptions, "batching" | "topology" | "reobservation" | "seed">;

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

/**
 * G simulated guardians and the gossip between them, in this process. One observer per
 * source chain (see ChainObserver) hands each message to every guardian, through the
 * guardian's view of it (ChainViews: its lag, or a poller of its own), once its block
 * reached its consistency level; each guardian signs on its own, after its own observation
 * delay, and publishes its observation through Gossip (batched, and delayed by where it sits,
 * when the scenario says so) to the aggregation point (Aggregation), where a VAA forms at
 * quorum. A message short of quorum is re-observed on Wormhole's schedule (Reobservation),
 * when that is on.
 *
 * Only the quorum's signatures are computed, on a worker thread (SignerPool), with
 * libsecp256k1 (the native `secp256k1` package; its rate is in BENCHMARKS.md): pure-JS signing
 * would make the harness the bottleneck it reports.
 */
export class GuardianNetwork extends EventEmitter<GuardianNetworkEvents> implements Instance {
  readonly name = "guardian-network";
  readonly guardians: Guardian[];
  /** The guardians' views of the source chains, on one shared poller per chain (ChainViews). */
  readonly views: ChainViews;
  readonly quorum: number;
  private readonly store: VaaStore;
  private readonly aggregation: Aggregation;
  /**
   * Gets the observation skew of each message whose tally is forgotten (times from clock.now());
   * observationSkews() gives the ones still kept.
   */
  onSkew: ((firstAt: number, skew: number) => void) | undefined;
  /** Makes the quorum's signatures off the main thread. */
  private readonly signer: SignerPool;
  private readonly gossip: Gossip;
  private readonly reobservation: Reobservation | undefined;
  /** Messages given up by re-observation, by source transaction (lower case). */
  private readonly givenUp = new Map<string, { signatures: number; afterMs: number }>();
  private readonly life = new Lifecycle({ name: this.name, start: () => this.open(), stop: () => this.close() });

  constructor(private readonly options: GuardianNetworkOptions) {
    super();
    this.quorum = quorum(options.guardianKeys.length);
    const keys: Uint8Array[] = [];
    for (const key of options.guardianKeys) keys[key.index] = key.privateKey;
    this.signer = new SignerPool(keys);
    this.store = new VaaStore(options.vaaRetentionMs ?? VAA_RETENTION_MS);
    const topology = options.topology ?? FLAT_TOPOLOGY;
    const r = options.reobservation;
    this.reobservation = r
      ? new Reobservation({
          ...r,
          random: seededRandom((options.seed ?? 0) ^ 0x4e0b5),
          request: (u) => this.requestReobservation(u),
          giveUp: (u) => this.giveUp(u),
        })
      : undefined;
    const addresses: GuardianKey["address"][] = [];
    for (const key of options.guardianKeys) addresses[key.index] = key.address;
    this.aggregation = new Aggregation({
      quorum: this.quorum,
      addresses,
      guardianSetIndex: options.guardianSetIndex ?? 0,
      tallyRetentionMs: options.tallyRetentionMs ?? TALLY_RETENTION_MS,
      store: this.store,
      signer: this.signer,
      topology,
      reobservation: this.reobservation,
      running: () => this.status !== "stopped",
      recordsSignatures: () => this.listenerCount("signature") > 0,
      signature: (record) => this.emit("signature", record),
      misbehaved: (m) => this.emit("misbehaved", m),
      vaa: (vaa) => this.emit("vaa", vaa),
      skew: (firstAt, skew) => this.onSkew?.(firstAt, skew),
    });
    this.gossip = new Gossip({
      guardianCount: options.guardianKeys.length,
      batching: options.batching,
      topology,
      arrive: (batch, at) => {
        for (const o of batch) this.aggregation.receive(o, at);
      },
    });
    this.guardians = options.guardianKeys.map((key) => new Guardian({ key, gossip: (o) => this.publish(o) }));
    this.views = new ChainViews({ chains: options.chains, guardians: this.guardians, pollIntervalMs: options.pollIntervalMs, ...options.views });
  }

  /** True while the quorum's signatures are made on the signing thread, not the main one. */
  get signsOnThread(): boolean {
    return this.signer.onThread;
  }

  /** In-process and silent: its `observed`, `signature`, `misbehaved` and `vaa` events are the record. */
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
    this.gossip.start();
    this.reobservation?.start();
    await this.views.start();
  }

  private async close(): Promise<void> {
    this.reobservation?.stop();
    await this.views.stop();
    for (const guardian of this.guardians) guardian.stop();
    this.gossip.stop();
    await this.signer.stop();
  }

  /**
   * Observation skew of every message whose tally is still kept (the others went to onSkew):
   * from the first to the last guardian that saw it with its own watcher (times from
   * clock.now()). Guardians that never saw it, or saw it only on a re-observation request, do
   * not count.
   */
  *observationSkews(): Generator<{ firstAt: number; skew: number }> {
    for (const tally of this.aggregation.tallies.values()) yield { firstAt: tally.firstObservedAt, skew: tally.lastObservedAt - tally.firstObservedAt };
  }

  /** A signed VAA by its id, or undefined while it has no quorum. */
  get(emitterChain: number, emitterAddress: Hex, sequence: bigint): SignedVaa | undefined {
    return this.store.get(vaaKey(emitterChain, emitterAddress, sequence));
  }

  /** Signed VAAs of the messages a source transaction published. */
  byTxHash(txHash: Hex): SignedVaa[] {
    return this.store.byTxHash(txHash);
  }

  /** Where the message a source transaction published stands when it has no VAA: waiting for re-observation, or given up. */
  quorumState(txHash: Hex): QuorumState | undefined {
    const given = this.givenUp.get(txHash.toLowerCase());
    if (given) return { state: "given-up", ...given };
    const u = this.reobservation?.waiting(txHash);
    if (!u) return undefined;
    const signatures = this.aggregation.tallies.get(u.digest)?.signers.length ?? 0;
    return { state: "waiting", signatures, requests: u.requests, nextRequestInMs: Math.max(0, u.nextRequestAt - now()) };
  }

  /** Guardians that observe and report but keep their signatures to themselves (a fault). */
  get withholding(): Set<number> {
    return this.aggregation.withholding;
  }

  /**
   * Splits gossip into groups of guardian indices (a network partition); undefined heals
   * it, and signatures held on both sides then meet, which may complete quorums.
   */
  partition(groups: number[][] | undefined): void {
    this.aggregation.partition(groups);
  }

  /** A guardian signed: said at once (`observed`), then on its way to the aggregation point. */
  private publish(o: Observation): void {
    if (this.listenerCount("observed")) this.emit("observed", { digest: o.digest, guardianIndex: o.guardianIndex, at: now() });
    this.gossip.publish(o);
  }

  /**
   * A re-observation request for a message short of quorum, from a guardian that observed it
   * and is online: every online guardian that has not signed it looks the transaction up on
   * its chain and signs what it finds (see findAgain). False when no observer is online to ask.
   */
  private requestReobservation(u: Unconfirmed): boolean {
    const tally = this.aggregation.tallies.get(u.digest);
    if (!tally || ![...tally.observers].some((g) => this.guardians[g]!.online)) return false;
    const serving = this.guardians.filter((g) => g.online && !tally.observers.has(g.index) && !this.withholding.has(g.index));
    const m = tally.observation.seen;
    const chain = this.options.chains.find((c) => c.wormholeChainId === m.body.emitterChain);
    if (serving.length && chain) {
      void findAgain(chain.rpcUrl, m).then(
        (found) => {
          const at = now();
          if (found) for (const g of serving) g.reobserve(m, at);
        },
        () => undefined,
      );
    }
    return true;
  }

  private giveUp(u: Unconfirmed): void {
    const signatures = this.aggregation.tallies.get(u.digest)?.signers.length ?? 0;
    this.givenUp.set(u.txHash.toLowerCase(), { signatures, afterMs: now() - u.firstObservedAt });
    this.aggregation.forget(u.digest);
  }
}

/**
 * What guardiand's EVM watcher does with a re-observation request: it reads the transaction's
 * receipt and takes the core's messages in it once their block is final (safe for a safe-level
 * message). True when the message is there, in the block it was first seen in, and final.
 */
async function findAgain(rpcUrl: string, m: SeenMessage): Promise<boolean> {
  const receipt = await rpc<{ blockHash: Hex; blockNumber: Hex } | null>(rpcUrl, "eth_getTransactionReceipt", [m.txHash]);
  // Gone, or in another block since (a reorg): there is nothing to re-observe.
  if (!receipt || receipt.blockHash.toLowerCase() !== m.blockHash.toLowerCase()) return false;
  const tag = m.body.consistencyLevel === 201 ? "safe" : "finalized";
  const final = await rpc<{ number: Hex } | null>(rpcUrl, "eth_getBlockByNumber", [tag, false]);
  return !!final && BigInt(receipt.blockNumber) <= BigInt(final.number);
}
