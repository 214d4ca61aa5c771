import type { Hex } from "viem";

/**
 * One guardian's signature of one message as the aggregation point received it: the data of
 * guardians.csv. Times are clock.now() values.
 */
export interface SignatureRecord {
  /** The message's VAA id (vaaKey: chain/emitter/sequence). */
  key: string;
  /** The message's payload as the shared poller read it (one object for every guardian's signature of it). */
  payload: Uint8Array;
  /** The body digest this guardian signed. */
  digest: Hex;
  guardianIndex: number;
  region: string;
  /** When the shared poller first saw the message's block: the origin of both delays below. */
  seenAt: number;
  /** When this guardian observed the message (its view's lag and observation delay included). */
  observedAt: number;
  /** When its signature reached the aggregation point (batching and gossip latency included). */
  arrivedAt: number;
  /** Signed on a re-observation request, not from its own watcher. */
  reobserved: boolean;
}
