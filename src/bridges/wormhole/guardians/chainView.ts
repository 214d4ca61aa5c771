import { now } from "../../../infra/clock.ts";
import { seededRandom } from "../../../infra/random.ts";
import { ChainObserver, type ChainObserverOptions, type Guardian, type SeenMessage, type WatchedChain } from "./guardian.ts";

// Each guardian's view of the source chains. One shared poller per chain (ChainObserver) serves
// every guardian: nineteen pollers in one process would measure this process's own pauses as
// skew. A guardian sees that poller `lag` ms late (its own node's place in block propagation and
// its own polling phase), or, when a fault needs to reach it alone, through a poller of its own
// on its own link (a dedicated fault-proxy proxy): it then takes that chain's messages and head
// from that poller only. Every `heartbeatMs` each online guardian reports its head per chain, as
// Wormhole guardians do in their heartbeats; the spread of those heads is the network's desync.

/** Guardians that watch one chain through a poller of their own, on their own link. */
export interface OwnLink {
  wormholeChainId: number;
  /** Guardian indices that share this link and poller. */
  guardians: number[];
  rpcUrl: string;
}

export interface ChainViewOptions {
  chains: WatchedChain[];
  guardians: Guardian[];
  /** Head polling interval of every poller, ms. [20] */
  pollIntervalMs?: number;
  /** Each guardian's lag on the shared pollers, ms, by guardian index. [0 for all: every guardian sees the shared poller at once] */
  lagsMs?: number[];
  /** Guardians with a poller of their own per chain. [none] */
  ownLinks?: OwnLink[];
  /** How often each online guardian reports its heads, ms. [1000] */
  heartbeatMs?: number;
  /** Makes each poller (unit tests hand in their own). [a ChainObserver] */
  poller?: (options: ChainObserverOptions) => Poller;
}

/** What a view needs of a poller: ChainObserver, or a test's stand-in driving its callbacks. */
export interface Poller {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** One heartbeat round: every online guardian's head per source chain, and their spread. */
export interface Heartbeat {
  /** clock.now() when the heads were read. */
  at: number;
  chains: Array<{
    wormholeChainId: number;
    /** Head by guardian index; undefined for an offline guardian (it sends no heartbeat) or one whose view has no head yet. */
    heads: Array<bigint | undefined>;
    /** max − min of the reported heads, blocks (0 with fewer than two). */
    spread: number;
  }>;
  /** The largest spread over the chains, blocks. */
  spread: number;
}

/**
 * The lags, ms, drawn per guardian from the scenario's seed: uniform in [0, maxMs). A guardian
 * polling its own node every P ms sees a new block 0…P after it appears, uniformly, whatever
 * else it does; the default maxMs is the shared poller's interval, so the shared view spreads
 * observations as nineteen independent pollers of that interval would, without their cost.
 * maxMs 0 gives every guardian lag 0.
 */
export function viewLags(seed: number, guardians: number, maxMs: number): number[] {
  const random = seededRandom(seed ^ 0x71e3);
  return Array.from({ length: guardians }, () => Math.floor(random() * maxMs));
}

/**
 * The heads one poller saw, with when it saw them, kept `keepMs` back so a view `lag` ms behind
 * reads the head as of `lag` ago.
 */
export class HeadHistory {
  private times: number[] = [];
  private heads: bigint[] = [];

  constructor(private readonly keepMs: number) {}

  record(head: bigint, at: number): void {
    if (this.heads.length && this.heads.at(-1)! >= head) return;
    this.times.push(at);
    this.heads.push(head);
    // Drop what no view can still read: everything before the newest entry at or before the cut.
    const cut = at - this.keepMs;
    let keepFrom = 0;
    while (keepFrom + 1 < this.times.length && this.times[keepFrom + 1]! <= cut) keepFrom++;
    if (keepFrom > 0) {
      this.times = this.times.slice(keepFrom);
      this.heads = this.heads.slice(keepFrom);
    }
  }

  /** The newest head seen at or before `at`; undefined when none was. */
  headAt(at: number): bigint | undefined {
    for (let i = this.times.length - 1; i >= 0; i--) if (this.times[i]! <= at) return this.heads[i];
    return undefined;
  }

  get latest(): bigint | undefined {
    return this.heads.at(-1);
  }
}

/** Messages handed over by a shared poller, passed on `lagMs` later to the guardians of that lag: one timer per lag, not per message. */
class LaggedQueue {
  private readonly items: Array<{ m: SeenMessage; dueAt: number }> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly lagMs: number,
    private readonly guardians: Guardian[],
  ) {}

  push(m: SeenMessage, at: number): void {
    this.items.push({ m, dueAt: at + this.lagMs });
    if (!this.timer) this.schedule();
  }

  private schedule(): void {
    const next = this.items[0];
    if (!next) return;
    this.timer = setTimeout(() => this.flush(), Math.max(0, next.dueAt - now()));
  }

  private flush(): void {
    this.timer = undefined;
    const t = now();
    let n = 0;
    while (n < this.items.length && this.items[n]!.dueAt <= t) n++;
    for (const { m } of this.items.splice(0, n)) for (const g of this.guardians) g.observe(m, m.observedAt + this.lagMs);
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.items.length = 0;
  }
}

/** A poller and the heads it saw. */
interface Feed {
  observer: Poller;
  heads: HeadHistory;
}

/**
 * Every guardian's view of every source chain: the shared pollers with each guardian's lag, the
 * own pollers of guardians on their own links, and the heartbeats.
 */
export class ChainViews {
  /** Called with each heartbeat round. */
  onHeartbeat: ((beat: Heartbeat) => void) | undefined;
  private readonly feeds: Feed[] = [];
  /** Per chain: the shared feed, and the own feed of each guardian that has one. */
  private readonly byChain = new Map<number, { shared: Feed; own: Map<number, Feed> }>();
  private readonly queues: LaggedQueue[] = [];
  private readonly lags: number[];
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly options: ChainViewOptions) {
    const { guardians } = options;
    this.lags = guardians.map((g) => options.lagsMs?.[g.index] ?? 0);
    const keepMs = Math.max(0, ...this.lags);
    for (const chain of options.chains) {
      const links = (options.ownLinks ?? []).filter((l) => l.wormholeChainId === chain.wormholeChainId);
      const ownIndices = new Set(links.flatMap((l) => l.guardians));
      // The shared poller's guardians, grouped by lag: lag 0 observes at once, the others through one queue per lag.
      const byLag = new Map<number, Guardian[]>();
      for (const [i, g] of guardians.entries()) if (!ownIndices.has(g.index)) byLag.set(this.lags[i]!, [...(byLag.get(this.lags[i]!) ?? []), g]);
      const immediate = byLag.get(0) ?? [];
      const queues = [...byLag].filter(([lag]) => lag > 0).map(([lag, gs]) => new LaggedQueue(lag, gs));
      this.queues.push(...queues);
      const shared = this.feed(chain, keepMs, (m) => {
        for (const g of immediate) g.observe(m);
        if (queues.length) {
          const at = now();
          for (const q of queues) q.push(m, at);
        }
      });
      const own = new Map<number, Feed>();
      for (const link of links) {
        const members = guardians.filter((g) => link.guardians.includes(g.index));
        const feed = this.feed({ ...chain, rpcUrl: link.rpcUrl }, 0, (m) => {
          for (const g of members) g.observe(m);
        });
        for (const g of members) own.set(g.index, feed);
      }
      this.byChain.set(chain.wormholeChainId, { shared, own });
    }
  }

  private feed(chain: WatchedChain, keepMs: number, onReady: (m: SeenMessage) => void): Feed {
    const heads = new HeadHistory(keepMs);
    const make = this.options.poller ?? ((o: ChainObserverOptions) => new ChainObserver(o));
    const observer = make({ chain, pollIntervalMs: this.options.pollIntervalMs, onReady, onHead: (head, at) => heads.record(head, at) });
    const feed = { observer, heads };
    this.feeds.push(feed);
    return feed;
  }

  /** Guardian `index`'s lag on the shared pollers, ms. */
  lagOf(index: number): number {
    return this.lags[this.options.guardians.findIndex((g) => g.index === index)] ?? 0;
  }

  /** How many pollers run: one shared per chain, plus one per own link. */
  get pollers(): number {
    return this.feeds.length;
  }

  /** Guardian `index`'s head of chain `wormholeChainId` as its view shows it at `at`. */
  headOf(index: number, wormholeChainId: number, at = now()): bigint | undefined {
    const chain = this.byChain.get(wormholeChainId);
    if (!chain) return undefined;
    const own = chain.own.get(index);
    return own ? own.heads.latest : chain.shared.heads.headAt(at - this.lagOf(index));
  }

  /** The heads every online guardian would report now. */
  beat(at = now()): Heartbeat {
    const chains = [...this.byChain.keys()].map((wormholeChainId) => {
      const heads = this.options.guardians.map((g) => (g.online ? this.headOf(g.index, wormholeChainId, at) : undefined));
      const reported = heads.filter((h): h is bigint => h !== undefined);
      let spread = 0;
      if (reported.length > 1) {
        let [min, max] = [reported[0]!, reported[0]!];
        // bigint heads: Math.min/max take numbers only.
        for (const h of reported) {
          if (h < min) min = h;
          if (h > max) max = h;
        }
        spread = Number(max - min);
      }
      return { wormholeChainId, heads, spread };
    });
    return { at, chains, spread: Math.max(0, ...chains.map((c) => c.spread)) };
  }

  async start(): Promise<void> {
    // Every poller's start settles before a failure is thrown, so the clean-up stops them all.
    const started = await Promise.allSettled(this.feeds.map((f) => f.observer.start()));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
    this.heartbeat = setInterval(() => this.onHeartbeat?.(this.beat()), this.options.heartbeatMs ?? 1000);
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    await Promise.all(this.feeds.map((f) => f.observer.stop()));
    for (const q of this.queues) q.stop();
  }
}
