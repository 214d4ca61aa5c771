import type { Hex } from "viem";
import { now } from "../../../infra/clock.ts";

/** A message short of quorum, as re-observation tracks it. Times are clock.now() values. */
export interface Unconfirmed {
  digest: Hex;
  txHash: Hex;
  /** When the first guardian observed it: the waits count from here, as Wormhole's processor does. */
  firstObservedAt: number;
  /** Re-observation requests made so far. */
  requests: number;
  /** No request before this. */
  nextRequestAt: number;
}

export interface ReobservationOptions {
  /** The wait before the first request (Wormhole: FirstRetryMinWait, 5 min), ms. */
  firstRetryMs: number;
  /** Giving up after this long without quorum (Wormhole: retryLimitOurs, 30 h), ms. */
  giveUpAfterMs: number;
  /** Uniform [0, 1) for the back-off's jitter (seeded by the caller). */
  random: () => number;
  /**
   * Sends a request: the guardians that have not signed the message look for it on its chain
   * again. Returns false when no guardian that observed it is online to ask (then nothing is
   * counted and the next sweep tries again).
   */
  request: (u: Unconfirmed) => boolean;
  /** The message is given up: it will never reach quorum. */
  giveUp: (u: Unconfirmed) => void;
}

/**
 * Wormhole's re-observation schedule (processor/cleanup.go, backoff.go), with its waits as
 * settings: a sweep runs every tenth of the first wait (Wormhole: every 30 s against 5 min);
 * a message short of quorum for `firstRetryMs` gets a request at the first sweep after that,
 * then request k (k ≥ 1 made so far) waits firstRetry·2^k plus a jitter uniform in
 * [0, firstRetry·2^k); after `giveUpAfterMs` from its first observation it is given up.
 */
export class Reobservation {
  private readonly pending = new Map<Hex, Unconfirmed>();
  private readonly byTx = new Map<string, Unconfirmed>();
  private timer: NodeJS.Timeout | undefined;
  readonly sweepMs: number;

  constructor(private readonly options: ReobservationOptions) {
    this.sweepMs = Math.min(30_000, Math.max(50, options.firstRetryMs / 10));
  }

  start(): void {
    this.timer = setInterval(() => this.sweep(now()), this.sweepMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** A message got its first observation and no quorum yet. */
  track(digest: Hex, txHash: Hex, firstObservedAt: number): void {
    if (this.pending.has(digest)) return;
    const u: Unconfirmed = { digest, txHash, firstObservedAt, requests: 0, nextRequestAt: firstObservedAt + this.options.firstRetryMs };
    this.pending.set(digest, u);
    this.byTx.set(txHash.toLowerCase(), u);
  }

  /** The message reached quorum, or is forgotten for another reason. */
  done(digest: Hex): void {
    const u = this.pending.get(digest);
    if (!u) return;
    this.pending.delete(digest);
    if (this.byTx.get(u.txHash.toLowerCase()) === u) this.byTx.delete(u.txHash.toLowerCase());
  }

  /** The message a source transaction published, while it waits for re-observation. */
  waiting(txHash: Hex): Unconfirmed | undefined {
    return this.byTx.get(txHash.toLowerCase());
  }

  /** One sweep at `at`: requests that are due, give-ups that are due. */
  sweep(at: number): void {
    for (const u of this.pending.values()) {
      if (at - u.firstObservedAt > this.options.giveUpAfterMs) {
        this.done(u.digest);
        this.options.giveUp(u);
        continue;
      }
      if (at < u.nextRequestAt || !this.options.request(u)) continue;
      u.requests++;
      const wait = this.options.firstRetryMs * 2 ** u.requests;
      u.nextRequestAt = at + wait + this.options.random() * wait;
    }
  }
}
