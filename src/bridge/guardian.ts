import { bytesToHex, hexToBytes, numberToHex, type Address, type Hex } from "viem";
import { rpc } from "../../chains/anvil.ts";
import { LogWatcher } from "../../chains/logWatcher.ts";
import { coreAbi } from "./core.ts";
import type { GuardianKey } from "./guardianKeys.ts";
import { bodyDigest, serializeBody, signDigest, toEmitterAddress, type VaaBody } from "./vaa.ts";

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
  signature: Uint8Array;
  txHash: Hex;
  /** When this guardian saw the message's block (clock.now()). */
  observedAt: number;
}

export interface GuardianOptions {
  key: GuardianKey;
  chains: WatchedChain[];
  /** Head polling interval, ms: the guardian's observation resolution. [25] */
  pollIntervalMs?: number;
  /** Where signed observations go. */
  gossip: (observation: Observation) => void;
}

interface Pending {
  body: VaaBody;
  blockNumber: bigint;
  txHash: Hex;
  observedAt: number;
}

/** Wormhole consistency levels: 200 instant, 201 safe, anything else finalized. */
const blockTagFor = (level: number): "latest" | "safe" | "finalized" => (level === 200 ? "latest" : level === 201 ? "safe" : "finalized");

/**
 * A simulated guardian with its own TEST-ONLY key. It follows every source chain itself,
 * waits for each message's consistency level, signs the VAA body digest and gossips the
 * signature. `online` and `observationDelayMs` are the knobs fault injection turns.
 */
export class Guardian {
  /** An offline guardian neither observes nor signs. */
  online = true;
  /** How late this guardian observes (and so signs) a message, ms; a function so it can be a distribution. */
  observationDelayMs: () => number = () => 0;
  private readonly watchers: LogWatcher<typeof coreAbi>[];
  private readonly pending = new Map<WatchedChain, Pending[]>();

  constructor(private readonly options: GuardianOptions) {
    this.watchers = options.chains.map(
      (chain) =>
        new LogWatcher({
          rpcUrl: chain.rpcUrl,
          addresses: [chain.coreAddress],
          abi: coreAbi,
          pollIntervalMs: options.pollIntervalMs ?? 25,
          onLogs: (logs, seenAt) => {
            if (!this.online) return;
            const queue = this.pending.get(chain) ?? [];
            for (const log of logs) {
              if (log.eventName !== "LogMessagePublished") continue;
              queue.push({
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
                txHash: log.transactionHash!,
                observedAt: seenAt,
              });
            }
            this.pending.set(chain, queue);
          },
          afterRange: (head) => this.signReady(chain, head),
        }),
    );
  }

  get index(): number {
    return this.options.key.index;
  }

  async start(): Promise<void> {
    await Promise.all(this.watchers.map((w) => w.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.watchers.map((w) => w.stop()));
  }

  /** Signs every pending message whose block has reached its consistency level. */
  private async signReady(chain: WatchedChain, head: bigint): Promise<void> {
    const queue = this.pending.get(chain);
    if (!queue?.length) return;
    const depth = new Map<string, bigint>([["latest", head]]);
    for (const tag of new Set(queue.map((p) => blockTagFor(p.body.consistencyLevel)))) {
      if (tag === "latest") continue;
      const block = await rpc<{ number: Hex } | null>(chain.rpcUrl, "eth_getBlockByNumber", [tag, false]);
      depth.set(tag, block ? BigInt(block.number) : -1n);
    }
    const waiting: Pending[] = [];
    for (const p of queue) {
      if (p.blockNumber > depth.get(blockTagFor(p.body.consistencyLevel))!) waiting.push(p);
      else await this.fillTimestamp(chain, p);
    }
    this.pending.set(chain, waiting);
  }

  /** Nodes that omit blockTimestamp in logs: the VAA must carry the block's own timestamp. */
  private async fillTimestamp(chain: WatchedChain, p: Pending): Promise<void> {
    if (p.body.timestamp === 0) {
      const block = await rpc<{ timestamp: Hex }>(chain.rpcUrl, "eth_getBlockByNumber", [numberToHex(p.blockNumber), false]);
      p.body.timestamp = Number(BigInt(block.timestamp));
    }
    // A delayed guardian observes late: its observation time moves with the delay, so the
    // network's observation skew shows it.
    const delay = this.observationDelayMs();
    if (delay > 0) setTimeout(() => this.sign({ ...p, observedAt: p.observedAt + delay }), delay);
    else this.sign(p);
  }

  private sign(p: Pending): void {
    if (!this.online) return;
    const bodyBytes = serializeBody(p.body);
    const digest = bodyDigest(bodyBytes);
    this.options.gossip({
      guardianIndex: this.index,
      body: p.body,
      bodyBytes,
      digest: bytesToHex(digest),
      signature: signDigest(this.options.key.privateKey, digest),
      txHash: p.txHash,
      observedAt: p.observedAt,
    });
  }
}
