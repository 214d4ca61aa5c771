import type { EventEmitter } from "node:events";
import type { Address, Hex } from "viem";
import type { Instance } from "../../../infra/instance.ts";

/** Where a relayer finds messages and where it delivers them. */
export interface RelayerEndpoints {
  /** HTTP base URL of the VAA API (Wormholescan paths). */
  vaaApiUrl: string;
  sources: Array<{
    wormholeChainId: number;
    rpcUrl: string;
    coreAddress: Address;
    /** Emitter contracts whose messages are relayed. */
    emitters: Address[];
  }>;
  destinations: Array<{
    wormholeChainId: number;
    evmChainId: number;
    rpcUrl: string;
    /** The integration's receiver on that chain. */
    receiver: Address;
  }>;
}

export { vaaKey, type VaaKey } from "../vaa.ts";
import type { VaaKey } from "../vaa.ts";

/**
 * What a relayer tells the harness about its own progress. Optional: an outside relayer
 * says nothing and is measured on-chain only. Times come from clock.now().
 */
export interface RelayerEventMap {
  fetched: [{ key: VaaKey; at: number }];
  submitted: [{ key: VaaKey; at: number; txHash: Hex; attempt: number }];
  /** The receiver rejected a submission because the VAA was already delivered. */
  duplicate: [{ key: VaaKey; at: number; txHash: Hex }];
  /** The relayer stopped trying; the message will not be delivered by it. */
  gaveUp: [{ key: VaaKey; at: number; reason: string }];
}

/** A relayer under test. */
export interface Relayer extends Instance {
  readonly events: EventEmitter<RelayerEventMap>;
  /** Waits for submissions already under way to settle (called before a run's final sweep). */
  settle(timeoutMs: number): Promise<void>;
}
