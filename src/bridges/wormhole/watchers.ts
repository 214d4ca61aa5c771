import type { Chain } from "@wormhole-foundation/sdk-base";
import { hexToBytes, type Hex } from "viem";
import { LogWatcher } from "../../../chains/logWatcher.ts";
import { SourceBlocks } from "../../../chains/sourceBlocks.ts";
import type { Ledger } from "../../measure/ledger.ts";
import { watchPublishedMessages } from "./publishedMessages.ts";
import { vaaKey } from "./relayer/relayer.ts";
import type { EvmStack } from "./stack.ts";

/** How often the harness's own observers poll the chains, ms: the resolution of every hop time it measures. */
export const OBSERVATION_POLL_MS = 20;

export type Watcher = { start(): Promise<void>; sweep(): Promise<void>; stop(): Promise<void> };

/**
 * The harness's own observers of a Wormhole run: source inclusion (and the source blocks that
 * carried messages, read again to find reorgs), VAAs, relayer progress and on-chain delivery,
 * each reported to the ledger; `onDelivered` also hears each delivered message id.
 */
export function watchRun(
  stack: EvmStack,
  sources: Chain[],
  destinations: Chain[],
  ledger: Ledger,
  onDelivered: (id: number) => void,
): { watchers: Watcher[]; sourceBlocks: Map<Chain, SourceBlocks> } {
  stack.guardianNetwork.on("vaa", (vaa) => {
    const id = stack.integration.decode(vaa.payload).messageId;
    const key = vaaKey(vaa.emitterChain, vaa.emitterAddress, vaa.sequence);
    ledger.sourceIncluded(id, key, vaa.firstObservedAt);
    ledger.vaaReady(id, key, vaa.readyAt);
  });
  stack.relayer.events.on("fetched", (e) => ledger.relayerFetched(e.key, e.at));
  stack.relayer.events.on("submitted", (e) => ledger.relayerSubmitted(e.key, e.at));
  stack.relayer.events.on("duplicate", (e) => ledger.duplicateAttempt(e.key, e.at, e.txHash));
  stack.relayer.events.on("gaveUp", (e) => ledger.relayerGaveUp(e.key, e.reason));

  const sourceBlocks = new Map(sources.map((name) => [name, new SourceBlocks(stack.chain(name).rpcUrl)]));
  const sourceWatchers = sources.map((name) => {
    const c = stack.chain(name);
    const blocks = sourceBlocks.get(name)!;
    return watchPublishedMessages({
      rpcUrl: c.rpcUrl,
      coreAddress: c.profile.coreAddress,
      wormholeChainId: c.profile.wormholeChainId,
      emitters: [stack.emitters.get(name)!],
      pollIntervalMs: OBSERVATION_POLL_MS,
      onMessage: ({ key, payload, seenAt, blockNumber, blockHash }) => {
        const id = stack.integration.decode(hexToBytes(payload)).messageId;
        blocks.add(blockNumber, blockHash, id);
        ledger.sourceIncluded(id, key, seenAt);
      },
    });
  });
  const deliveryWatchers = destinations.map((name) => {
    const c = stack.chain(name);
    return new LogWatcher({
      rpcUrl: c.rpcUrl,
      addresses: [stack.receivers.get(name)!],
      abi: stack.integration.deliveryAbi,
      pollIntervalMs: OBSERVATION_POLL_MS,
      onLogs: (logs, seenAt) => {
        for (const log of logs) {
          const delivery = stack.integration.delivery(log);
          if (!delivery) continue;
          onDelivered(delivery.messageId);
          ledger.delivered(delivery.messageId, seenAt, log.transactionHash as Hex, delivery.late);
        }
      },
    });
  });
  return { watchers: [...sourceWatchers, ...deliveryWatchers], sourceBlocks };
}
