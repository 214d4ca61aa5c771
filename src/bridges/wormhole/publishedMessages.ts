import type { Address, Hex } from "viem";
import { LogWatcher } from "../../../chains/logWatcher.ts";
import { coreAbi } from "./core.ts";
import { toEmitterAddress, vaaKey, type VaaKey } from "./vaa.ts";

export interface PublishedMessage {
  /** The message's VAA id. */
  key: VaaKey;
  payload: Hex;
  /** When its block was first seen (clock.now()). */
  seenAt: number;
  blockNumber: bigint;
  blockHash: Hex;
}

export interface PublishedMessagesOptions {
  rpcUrl: string;
  coreAddress: Address;
  wormholeChainId: number;
  /** Only messages from these emitter contracts. */
  emitters: Address[];
  fromBlock?: bigint;
  pollIntervalMs?: number;
  onMessage: (message: PublishedMessage) => void;
}

/** Follows the core's LogMessagePublished on one chain for some emitters, as VAA ids. */
export function watchPublishedMessages(options: PublishedMessagesOptions): LogWatcher<typeof coreAbi> {
  const emitters = new Set(options.emitters.map((e) => e.toLowerCase()));
  return new LogWatcher({
    rpcUrl: options.rpcUrl,
    addresses: [options.coreAddress],
    abi: coreAbi,
    fromBlock: options.fromBlock,
    pollIntervalMs: options.pollIntervalMs,
    onLogs: (logs, seenAt) => {
      for (const log of logs) {
        if (log.eventName !== "LogMessagePublished" || !emitters.has(log.args.sender.toLowerCase())) continue;
        const key = vaaKey(options.wormholeChainId, toEmitterAddress(log.args.sender), log.args.sequence);
        options.onMessage({ key, payload: log.args.payload, seenAt, blockNumber: log.blockNumber!, blockHash: log.blockHash! });
      }
    },
  });
}
