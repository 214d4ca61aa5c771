import type { Chain } from "@wormhole-foundation/sdk-base";
import { hexToBytes, toHex, type Hex } from "viem";
import { LogWatcher } from "../../../chains/logWatcher.ts";
import { SourceBlocks } from "../../../chains/sourceBlocks.ts";
import { now } from "../../infra/clock.ts";
import { rpc } from "../../infra/rpc.ts";
import type { FaultEvent } from "../../measure/faultEvents.ts";
import type { Ledger } from "../../measure/ledger.ts";
import { watchPublishedMessages } from "./publishedMessages.ts";
import { vaaKey } from "./relayer/relayer.ts";
import type { GuardianNetwork } from "./guardians/guardianNetwork.ts";
import type { EvmStack } from "./stack.ts";

/** How often the harness's own observers poll the chains, ms: the resolution of every hop time it measures. */
export const OBSERVATION_POLL_MS = 20;

/** Submissions, and how long after the first, after which a run with no recognised delivery says so (an anomaly). */
const UNRECOGNISED_AFTER = 20;
const UNRECOGNISED_WAIT_MS = 10_000;

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
): { watchers: Watcher[]; sourceBlocks: Map<Chain, SourceBlocks>; sayUnrecognised: () => void } {
  stack.guardianNetwork.on("vaa", (vaa) => {
    const id = stack.integration.decode(vaa.payload).messageId;
    const key = vaaKey(vaa.emitterChain, vaa.emitterAddress, vaa.sequence);
    ledger.sourceIncluded(id, key, vaa.firstObservedAt);
    ledger.vaaReady(id, key, vaa.readyAt);
    if (vaa.reobservedSignatures > 0) {
      const { quorum } = stack.guardianNetwork;
      const requests = `${vaa.reobservationRequests} re-observation request${vaa.reobservationRequests === 1 ? "" : "s"}`;
      ledger.reobserved(id, vaa.readyAt, `${vaa.reobservedSignatures} of the VAA's ${quorum} signatures given on re-observation, after ${requests}`);
    }
  });
  stack.relayer.events.on("fetched", (e) => ledger.relayerFetched(e.key, e.at));
  // A delivery event that never matches is said (an anomaly) once UNRECOGNISED_AFTER submissions are
  // UNRECOGNISED_WAIT_MS old with none recognised, or at the end of a run that submitted any: not left to read as drops.
  let submitted = 0;
  let recognised = 0;
  let firstAt: number | undefined;
  let said = false;
  const sayUnrecognised = () => {
    if (said || recognised > 0 || submitted === 0) return;
    said = true;
    const { name, spec } = stack.integration;
    ledger.deliveriesUnrecognised(
      `${submitted} VAAs were submitted to the receivers and no ${spec.delivered.event} event named a message of this run: ` +
        `check integration "${name}"'s delivered.event and delivered.messageId, and that its deliver call emits that event`,
    );
  };
  stack.relayer.events.on("submitted", (e) => {
    ledger.relayerSubmitted(e.key, e.at);
    firstAt ??= e.at;
    if (++submitted >= UNRECOGNISED_AFTER && e.at - firstAt >= UNRECOGNISED_WAIT_MS) sayUnrecognised();
  });
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
          recognised++;
          onDelivered(delivery.messageId);
          ledger.delivered(delivery.messageId, seenAt, log.transactionHash as Hex, delivery.late);
        }
      },
    });
  });
  return { watchers: [...sourceWatchers, ...deliveryWatchers], sourceBlocks, sayUnrecognised };
}

/** How many unpublished sends the drain looks up at most: enough to name a cause, without an RPC call per message of a large run. */
const REVERT_CHECKS = 200;

/**
 * After the drain: sends that were mined but reverted (so nothing was published) are dropped as
 * `send-failed` with the revert reason, replayed with eth_call on the state before their block,
 * instead of ending as `not-included-on-source` with no cause. Returns how many it found.
 */
export async function dropRevertedSends(stack: EvmStack, ledger: Ledger): Promise<number> {
  const unpublished = [...ledger.inFlightRecords()].filter((r) => r.sendTxHash && r.sourceIncludedAt === undefined).slice(0, REVERT_CHECKS);
  let found = 0;
  for (const record of unpublished) {
    const rpcUrl = stack.chain(record.sourceChain as Chain).rpcUrl;
    const receipt = await rpc<{ status: Hex; blockNumber: Hex } | null>(rpcUrl, "eth_getTransactionReceipt", [record.sendTxHash]).catch(() => null);
    if (receipt?.status !== "0x0") continue;
    const tx = await rpc<{ from: Hex; to: Hex; input: Hex; value: Hex; gas: Hex }>(rpcUrl, "eth_getTransactionByHash", [record.sendTxHash]);
    const before = toHex(BigInt(receipt.blockNumber) - 1n);
    const reason = await rpc(rpcUrl, "eth_call", [{ from: tx.from, to: tx.to, data: tx.input, value: tx.value, gas: tx.gas }, before]).then(
      () => `transaction ${record.sendTxHash} reverted (its replay on the block before succeeds: it depended on that block's earlier transactions)`,
      (err: Error) =>
        // The chain keeps the states of its last blocks only (longRuns.ts): an older one cannot be replayed on.
        /BlockOutOfRange/.test(err.message)
          ? `transaction ${record.sendTxHash} reverted (its reason is not known: the chain no longer keeps the state of block ${BigInt(before)} to replay it on)`
          : `transaction ${record.sendTxHash} reverted: ${err.message.replace(/^eth_call: /, "")}`,
    );
    ledger.refused(record.id, now(), { code: "send-failed", detail: reason });
    found++;
  }
  return found;
}

/**
 * Messages in a source block without a VAA when the drain ends: still waiting for
 * re-observation (dropped `reobservation-pending`: the drain does not wait for it), or given up
 * by it (`no-quorum`, with how far it got). With re-observation off they are left to the
 * ledger's stall reason, `no-quorum`.
 */
export function dropShortOfQuorum(network: Pick<GuardianNetwork, "quorum" | "quorumState">, ledger: Ledger): void {
  for (const r of [...ledger.inFlightRecords()]) {
    if (r.sourceIncludedAt === undefined || r.vaaReadyAt !== undefined || !r.sendTxHash) continue;
    const state = network.quorumState(r.sendTxHash);
    if (!state) continue;
    const signatures = `${state.signatures} of ${network.quorum} signatures`;
    if (state.state === "waiting") {
      const next = `${state.requests} re-observation requests made, the next due in ${(state.nextRequestInMs / 1000).toFixed(1)} s`;
      ledger.refused(r.id, now(), { code: "reobservation-pending", detail: `${signatures}; ${next}` });
    } else {
      ledger.refused(r.id, now(), { code: "no-quorum", detail: `${signatures}; re-observation gave up after ${(state.afterMs / 1000).toFixed(1)} s` });
    }
  }
}

/**
 * Guardians whose observations the aggregation point refused (another body signed, a key not
 * their own): events.csv gets a line the first time each guardian is caught, and `summary()`
 * gives one line with every guardian's count for the end of the run.
 */
export function recordMisbehaviour(stack: EvmStack, ledger: Ledger, events: FaultEvent[]): { summary(): void } {
  const counts = new Map<number, { body: number; key: number }>();
  stack.guardianNetwork.on("misbehaved", (m) => {
    const count = counts.get(m.guardianIndex) ?? { body: 0, key: 0 };
    if (!counts.has(m.guardianIndex)) {
      counts.set(m.guardianIndex, count);
      events.push({ at: ledger.elapsed(), event: "guardian-misbehaved", kind: "guardians-equivocate", fault: m.detail });
    }
    count[m.what]++;
  });
  return {
    summary() {
      if (!counts.size) return;
      const each = [...counts].sort(([a], [b]) => a - b).map(([g, c]) => `guardian ${g}: ${c.body} other bodies, ${c.key} signatures not its own`);
      events.push({
        at: ledger.elapsed(),
        event: "guardian-misbehaved",
        kind: "guardians-equivocate",
        fault: `refused observations by guardian: ${each.join("; ")}`,
      });
    },
  };
}

/**
 * Finds the messages a reorg rolled back on a source chain: those seen in blocks that are
 * no longer canonical, and those sent but never seen whose transaction the node no longer
 * knows (pending when the reorg came). Tells the ledger; returns a summary for events.csv.
 */
export async function rollBack(stack: EvmStack, sourceBlocks: Map<Chain, SourceBlocks>, ledger: Ledger, chain: Chain, from: bigint): Promise<string> {
  const seen = await sourceBlocks.get(chain)!.rolledBack(from);
  const { rpcUrl, anvil, profile } = stack.chain(chain);
  // A send older than the transactions the chain keeps (longRuns.ts) is unknown to it without a reorg: not asked.
  const keptMs = (anvil?.anvilOptions.history?.transactionBlocks ?? Infinity) * profile.blockTimeMs;
  const unseen = [...ledger.inFlightRecords()].filter(
    (r) => r.sourceChain === chain && r.sendTxHash && r.sourceIncludedAt === undefined && ledger.elapsed() - r.sentAt! < keptMs,
  );
  const vanished: number[] = [];
  for (const r of unseen) if ((await rpc(rpcUrl, "eth_getTransactionByHash", [r.sendTxHash])) === null) vanished.push(r.id);
  for (const id of [...seen, ...vanished]) ledger.sourceRolledBack(id);
  return `${seen.length} messages rolled back, ${vanished.length} pending transactions gone`;
}
