import { bytesToHex, hexToBytes, numberToHex, type Address, type Hex } from "viem";
import { rpc } from "../../../infra/rpc.ts";
import { LogWatcher } from "../../../../chains/logWatcher.ts";
import { coreAbi } from "../core.ts";
import type { GuardianKey } from "./guardianKeys.ts";
import { bodyDigest, serializeBody, signDigest, toEmitterAddress, type VaaBody } from "../vaa.ts";

/** A source chain as a guardian sees it. */
export interface WatchedChain {
  wormholeChainId: number;
  rpcUrl: string;
  coreAddress: Address;
}

/** One guardian's signed observation, passed on to the network (gossip). */
export interface Observation {
  guardianIndex: number;
  body: VaaBody;
  bodyBytes: Uint8Array;
  digest: Hex;
  txHash: Hex;
  /** When this guardian saw the message's block (clock.now()). */
  observedAt: number;
  /** The message as the chain observer handed it over (for re-observation and the records). */
  seen: SeenMessage;
  /** Signed on a re-observation request, not from the guardian's own watcher. */
  reobserved: boolean;
  /**
   * The guardian's signature, carried only when it signed with a key other than its own (an
   * equivocation fault): the network checks it against the guardian set. A guardian's own
   * signature is made when its observation goes into a VAA (GuardianNetwork, SignerPool).
   */
  signature?: Uint8Array;
}

/** A published message whose block reached its consistency level (and, past instant, is still canonical). */
export interface SeenMessage {
  body: VaaBody;
  blockNumber: bigint;
  blockHash: Hex;
  txHash: Hex;
  /** When the message's block was first seen (clock.now()). */
  observedAt: number;
  /** The body as signed, computed by the first guardian that signs it. */
  signed?: { bodyBytes: Uint8Array; digest: Hex };
}

/** Wormhole consistency levels: 200 instant, 201 safe, anything else finalized. */
const blockTagFor = (level: number): "latest" | "safe" | "finalized" => (level === 200 ? "latest" : level === 201 ? "safe" : "finalized");

export interface ChainObserverOptions {
  chain: WatchedChain;
  /** Head polling interval, ms: the guardians' observation resolution. [20] */
  pollIntervalMs?: number;
  /** A message is ready for the guardians to sign. */
  onReady: (message: SeenMessage) => void;
  /** The poller reached block `head` at `at` (clock.now()): the guardians' heartbeats report it (chainView.ts). */
  onHead?: (head: bigint, at: number) => void;
}

/**
 * The guardians' view of one source chain. Real guardians each run their own node; here
 * one watcher per chain serves all of them. Nineteen pollers of the same anvil in one
 * process would cost nineteen times the RPC load and would report this process's own
 * event-loop stalls as observation skew; differences between guardians come from each
 * guardian's view lag on it (chainView.ts) and its observation delay (the guardian-delay fault).
 *
 * A message is handed over once its block reached the message's consistency level. At
 * the safe and finalized levels its block must still be canonical then: the log's block
 * hash is compared with the chain's block at that height, so a message rolled back by a
 * reorg is never signed. At the instant level it is handed over at once, as Wormhole
 * guardians do, and a later reorg cannot take the signatures back.
 */
export class ChainObserver {
  private readonly watcher: LogWatcher<typeof coreAbi>;
  private pending: SeenMessage[] = [];

  constructor(private readonly options: ChainObserverOptions) {
    const { chain } = options;
    this.watcher = new LogWatcher({
      rpcUrl: chain.rpcUrl,
      addresses: [chain.coreAddress],
      abi: coreAbi,
      pollIntervalMs: options.pollIntervalMs ?? 20,
      onLogs: (logs, seenAt) => {
        for (const log of logs) {
          if (log.eventName !== "LogMessagePublished") continue;
          this.pending.push({
            body: {
              timestamp: Number(log.blockTimestamp ?? 0n),
              nonce: log.args.nonce,
              emitterChain: chain.wormholeChainId,
              emitterAddress: toEmitterAddress(log.args.sender),
              sequence: log.args.sequence,
              consistencyLevel: log.args.consistencyLevel,
              payload: hexToBytes(log.args.payload),
            },
            blockNumber: log.blockNumber!,
            blockHash: log.blockHash!,
            txHash: log.transactionHash!,
            observedAt: seenAt,
          });
        }
      },
      afterRange: (head, seenAt) => {
        options.onHead?.(head, seenAt);
        return this.handOverReady(head);
      },
    });
  }

  start(): Promise<void> {
    return this.watcher.start();
  }

  stop(): Promise<void> {
    return this.watcher.stop();
  }

  /** Hands over every pending message whose block reached its consistency level. */
  private async handOverReady(head: bigint): Promise<void> {
    const queue = this.pending;
    if (!queue.length) return;
    const { rpcUrl } = this.options.chain;
    const depth = new Map<string, bigint>([["latest", head]]);
    for (const tag of new Set(queue.map((p) => blockTagFor(p.body.consistencyLevel)))) {
      if (tag === "latest") continue;
      const block = await rpc<{ number: Hex } | null>(rpcUrl, "eth_getBlockByNumber", [tag, false]);
      depth.set(tag, block ? BigInt(block.number) : -1n);
    }
    const waiting: SeenMessage[] = [];
    const ready: SeenMessage[] = [];
    for (const p of queue) (p.blockNumber > depth.get(blockTagFor(p.body.consistencyLevel))! ? waiting : ready).push(p);
    // Canonical hashes of the blocks that carry ready safe/finalized messages, one request per block.
    const canonical = new Map<bigint, Hex>();
    for (const p of ready) {
      if (p.body.consistencyLevel !== 200 && !canonical.has(p.blockNumber)) {
        const block = await rpc<{ hash: Hex } | null>(rpcUrl, "eth_getBlockByNumber", [numberToHex(p.blockNumber), false]);
        canonical.set(p.blockNumber, block?.hash ?? "0x");
      }
      // Nodes that omit blockTimestamp in logs: the VAA must carry the block's own timestamp.
      if (p.body.timestamp === 0) {
        const block = await rpc<{ timestamp: Hex }>(rpcUrl, "eth_getBlockByNumber", [numberToHex(p.blockNumber), false]);
        p.body.timestamp = Number(BigInt(block.timestamp));
      }
    }
    // Only now that every request succeeded is the queue replaced (a throw retries it all).
    this.pending = [...waiting, ...this.pending.slice(queue.length)];
    // A message whose block is no longer canonical was rolled back: it is never signed.
    for (const p of ready) {
      if (p.body.consistencyLevel === 200 || canonical.get(p.blockNumber)?.toLowerCase() === p.blockHash.toLowerCase()) this.options.onReady(p);
    }
  }
}

export interface GuardianOptions {
  key: GuardianKey;
  /** Where signed observations go. */
  gossip: (observation: Observation) => void;
}

/** How a guardian misbehaves while an equivocation fault holds it: it signs another body, or the right body with a key not in the set. */
export type Misbehaviour = { kind: "body" } | { kind: "key"; privateKey: Uint8Array };

/**
 * A simulated guardian with its own TEST-ONLY key. It signs the VAA body digest of every
 * message its chain observers hand over (and of every message it is asked to re-observe)
 * and gossips the signature. `online`, `observationDelayMs` and `misbehaviour` are the knobs
 * fault injection turns.
 */
export class Guardian {
  /** An offline guardian neither observes nor signs, and serves no re-observation request. */
  online = true;
  /** How late this guardian observes (and so signs) a message, ms; a function so it can be a distribution. */
  observationDelayMs: () => number = () => 0;
  /** Set while an equivocation fault holds this guardian. */
  misbehaviour: Misbehaviour | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: GuardianOptions) {}

  get index(): number {
    return this.options.key.index;
  }

  /**
   * A message reached its consistency level: sign it now, or after this guardian's delay.
   * `seenAt`: when this guardian's view saw the message's block (its view's lag included, chainView.ts).
   */
  observe(m: SeenMessage, seenAt = m.observedAt): void {
    if (!this.online) return;
    // A delayed guardian observes late: its observation time moves with the delay, so the
    // network's observation skew shows it.
    const delay = this.observationDelayMs();
    if (delay <= 0) return this.sign(m, seenAt, false);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.sign(m, seenAt + delay, false);
    }, delay);
    this.timers.add(timer);
  }

  /** A re-observation request for a message this guardian's watcher found again on its chain: sign it now. */
  reobserve(m: SeenMessage, at: number): void {
    this.sign(m, at, true);
  }

  /** Forgets observations still waiting out a delay. */
  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private sign(m: SeenMessage, observedAt: number, reobserved: boolean): void {
    if (!this.online) return;
    if (!m.signed) {
      // Once per message, not once per guardian.
      const bytes = serializeBody(m.body);
      m.signed = { bodyBytes: bytes, digest: bytesToHex(bodyDigest(bytes)) };
    }
    let { bodyBytes, digest } = m.signed;
    let body = m.body;
    let signature: Uint8Array | undefined;
    if (this.misbehaviour?.kind === "body") {
      // Another body for the same message id: the nonce differs, so the digest does.
      body = { ...m.body, nonce: (m.body.nonce ^ 1) >>> 0 };
      bodyBytes = serializeBody(body);
      digest = bytesToHex(bodyDigest(bodyBytes));
    } else if (this.misbehaviour?.kind === "key") {
      signature = signDigest(this.misbehaviour.privateKey, hexToBytes(digest));
    }
    // An honest guardian's signature is made by the network when it is one of the quorum that
    // goes into the VAA (GuardianNetwork, SignerPool): the ones that would arrive after quorum
    // cost nothing here.
    this.options.gossip({ guardianIndex: this.index, body, bodyBytes, digest, txHash: m.txHash, observedAt, seen: m, reobserved, signature });
  }
}
