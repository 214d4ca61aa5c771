import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { encodeFunctionData, hexToBytes, keccak256, toHex, type Address, type Hex } from "viem";
import { deployGasBurner } from "./bridge/deploy.ts";
import type { Chain } from "@wormhole-foundation/sdk-base";
import { chainProfile } from "../chains/profiles.ts";
import { onShutdown } from "../chains/instance.ts";
import { LogWatcher } from "../chains/logWatcher.ts";
import { WalletPool } from "../chains/walletPool.ts";
import { roleKeys } from "../chains/devAccounts.ts";
import { decodeTrigger, TRIGGER_KIND_CODES } from "./bridge/payload.ts";
import { watchPublishedMessages } from "./bridge/publishedMessages.ts";
import { liquidationHubAbi, liquidationReceiverAbi } from "../fixtures/contracts/artifacts/index.ts";
import { CONSISTENCY_LEVEL, type Scenario, type StageConfig } from "./load/scenario.ts";
import { searchCapacity } from "./load/search.ts";
import { DEFAULT_CRITERIA, type CapacityCriteria } from "./measure/capacity.ts";
import { schedule, seededRandom, stageStarts, type PlannedMessage } from "./load/schedule.ts";
import { FaultRunner } from "./faults/faultRunner.ts";
import { NETWORK_FAULTS } from "./faults/faults.ts";
import { dispatch } from "./load/dispatcher.ts";
import { loadRelayerPreset } from "./relayer/config.ts";
import { vaaKey } from "./relayer/relayer.ts";
import { Ledger } from "./measure/ledger.ts";
import { SourceBlocks } from "./measure/sourceBlocks.ts";
import { rpc } from "../chains/anvil.ts";
import { now } from "./measure/clock.ts";
import type { StageStats } from "./measure/stats.ts";
import { RunRecorder, writeManifest, type ReportInput, type RunReport } from "./report/runReport.ts";
import { EvmStack } from "./stack.ts";

export interface RunOptions {
  /** Folder that receives the run's folder. [reports] */
  outDir?: string;
  /** Called about once a second while messages are offered and drained. */
  onProgress?: (line: string) => void;
  /** Called with the live stack after the report is written and before it is stopped (tests read chain state here). */
  inspect?: (stack: EvmStack) => Promise<void>;
}

export interface RunResult extends RunReport {
  runDir: string;
}

/** Gas of one LiquidationHub.trigger call (publishMessage ≈ 51 k plus payload and padding). */
const TRIGGER_GAS = 250_000n;
/** How often the in-flight count is sampled for the timeline and its per-stage slope. */
const SAMPLE_EVERY_MS = 250;
/** Head polling interval of the harness's own watchers (its observation resolution). */
const OBSERVATION_POLL_MS = 20;

/**
 * Runs a scenario end to end: starts the stack, offers the scheduled messages, waits for
 * them to drain, and writes the run's CSVs and manifest. Always stops what it started; an
 * interrupted or failed run still writes what it has, marked incomplete.
 */
export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<RunResult> {
  const startedAt = new Date();
  const runId = `${startedAt.toISOString().replace(/[:.]/g, "-")}-${scenario.name}-seed${scenario.seed}`;
  const runDir = resolve(options.outDir ?? "reports", runId);
  mkdirSync(runDir, { recursive: true });
  const progress = options.onProgress ?? (() => undefined);

  const sources = [...new Set(scenario.routes.map((r) => r.from))];
  const destinations = [...new Set(scenario.routes.flatMap((r) => r.to))];
  const profiles = [...new Set([...sources, ...destinations])].map((name) => {
    const { blockTimeMs, mode } = scenario.chains[name] ?? {};
    return chainProfile(name, { ...(blockTimeMs ? { blockTimeMs } : {}), ...(mode ? { mode } : {}) });
  });
  const stack = new EvmStack({
    chains: profiles,
    sources,
    destinations,
    guardians: scenario.guardians,
    relayer: loadRelayerPreset(scenario.relayer),
    faultProxy: scenario.faults.some((f) => NETWORK_FAULTS.has(f.kind)),
    relayerCheckpoint: scenario.faults.some((f) => f.kind === "relayer-restart") ? join(runDir, "relayer-checkpoint.json") : undefined,
  });
  // A capacity search decides its stages (probes) as it goes; the report covers what ran.
  const stages: StageConfig[] = scenario.search ? [] : scenario.stages;
  const criteria: CapacityCriteria = { ...DEFAULT_CRITERIA, sloP99Ms: scenario.sloP99Ms, desyncMs: scenario.desyncMs };
  const reportInput = (): ReportInput => ({
    runId,
    runDir,
    scenario: { ...scenario, stages },
    startedAt,
    endpoints: stack.endpoints(),
    limits: { observationPollMs: OBSERVATION_POLL_MS },
    criteria,
  });
  writeManifest(reportInput(), "running", false);

  let recorder: RunRecorder | undefined;
  // Whoever ends the run first (normal end, Ctrl-C or failure) writes the report.
  const finish = (status: string, complete: boolean) =>
    recorder ? recorder.finish(status, complete) : Promise.resolve(writeManifest(reportInput(), status, false));
  const abort = new AbortController();
  const removeHook = onShutdown(async () => {
    abort.abort();
    await finish("interrupted", false);
  });

  try {
    progress(`starting ${profiles.map((p) => p.name).join(", ")}, ${scenario.guardians} guardians, relayer preset "${scenario.relayer}"`);
    await stack.start();
    const ledger = new Ledger();
    const activeRecorder = (recorder = new RunRecorder(reportInput(), ledger));
    const { watchers, sourceBlocks } = watchChains(stack, ledger, sources, destinations);
    await Promise.all(watchers.map((w) => w.start()));
    const senders = new Map<Chain, WalletPool>();
    for (const name of sources) {
      const c = stack.chain(name);
      const pool = new WalletPool({ rpcUrl: c.rpcUrl, chainId: c.profile.evmChainId, privateKeys: roleKeys("senders", scenario.senders) });
      await pool.init();
      senders.set(name, pool);
    }

    // Congestion faults fill blocks with GasBurner calls: deployed before the load starts.
    const burners = new Map<string, Address>();
    for (const target of new Set(scenario.faults.flatMap((f) => (f.kind === "congestion" ? [f.target] : [])))) {
      burners.set(target, await deployGasBurner(stack.chain(target as Chain).rpcUrl));
    }
    const faults = new FaultRunner(
      scenario.faults,
      {
        guardians: stack.guardianNetwork,
        toxiproxy: stack.toxiproxy,
        relayerProcess: stack.relayerProcess,
        chains: new Map(
          [...stack.chains].map(([name, c]) => [
            name,
            { rpcUrl: c.rpcUrl, blockTimeMs: c.profile.blockTimeMs, evmChainId: c.profile.evmChainId, gasLimit: c.profile.gasLimit, gasBurner: burners.get(name) },
          ]),
        ),
        aroundReorg: (name, reorg) => {
          const chain = name as Chain;
          // No sends while nonces roll back. anvil does not return rolled-back transactions
          // to its pool (geth does), and the pending ones would wait behind the nonce gap
          // forever: they are dropped, nonces re-read, and their messages count as rolled back.
          return senders.get(chain)!.exclusive(async () => {
            const from = await reorg();
            await rpc(stack.chain(chain).rpcUrl, "anvil_dropAllTransactions", []);
            await senders.get(chain)!.resync();
            return rollBack(ledger, stack, chain, sourceBlocks.get(chain)!, from);
          });
        },
      },
      ledger,
      seededRandom(scenario.seed ^ 0x5eed),
    );
    activeRecorder.faultEvents = faults.events;
    activeRecorder.observationSkews = () => stack.guardianNetwork.observationSkews();
    faults.start();
    const live = new LiveProgress(ledger, activeRecorder.stats, stages);
    const sampler = setInterval(() => activeRecorder.sample(), SAMPLE_EVERY_MS);
    const ticker = setInterval(() => progress(live.line()), 1000);
    const sending = { count: 0 };
    try {
      const sendOne = (m: PlannedMessage) => send(m, scenario, stack, senders.get(m.source)!, ledger, sending);
      if (scenario.search) {
        await searchCapacity({
          scenario: { ...scenario, search: scenario.search },
          ledger,
          recorder: activeRecorder,
          criteria,
          send: sendOne,
          signal: abort.signal,
          probes: stages,
          progress,
        });
      } else {
        await dispatch(schedule(scenario), ledger.startedAt, sendOne, abort.signal);
      }
      const drainUntil = now() + scenario.drainS * 1000;
      while (now() < drainUntil && !abort.signal.aborted && ledger.inFlight > 0) await sleep(100);
    } finally {
      clearInterval(ticker);
      clearInterval(sampler);
      await faults.stop();
    }
    // Let submissions under way land, then take in every delivery up to the head before judging.
    await stack.relayer.settle(5_000);
    await Promise.all(watchers.map((w) => w.sweep()));
    await Promise.all(watchers.map((w) => w.stop()));
    const complete = !abort.signal.aborted;
    // Reorgs nobody scheduled (a fork or a remote chain) are caught here.
    if (complete) for (const name of sources) await rollBack(ledger, stack, name, sourceBlocks.get(name)!, 0n);
    if (complete) ledger.closeDrain();
    const result = await activeRecorder.finish(complete ? "complete" : "interrupted", complete);
    await options.inspect?.(stack);
    return { runDir, ...result };
  } catch (err) {
    await finish(`failed: ${(err as Error).message}`, false).catch(() => undefined);
    throw err;
  } finally {
    removeHook();
    await stack.stop();
  }
}

/** One progress line a second: stage, rates over the last second, in flight, p99 so far. */
class LiveProgress {
  private last = { at: 0, sent: 0, delivered: 0, planned: 0 };
  private starts: number[];

  constructor(private readonly ledger: Ledger, private readonly stats: StageStats, private readonly stages: StageConfig[]) {
    this.starts = stageStarts({ stages });
  }

  line(): string {
    const at = this.ledger.elapsed();
    const { sent, delivered, planned } = this.ledger.counts;
    const seconds = Math.max(0.001, (at - this.last.at) / 1000);
    const rate = (now: number, before: number) => ((now - before) / seconds).toFixed(0);
    // Capacity-search probes are added as they start.
    if (this.starts.length < this.stages.length) this.starts = stageStarts({ stages: this.stages });
    const stage = this.starts.findLastIndex((start) => at >= start);
    const inStage = stage >= 0 && at < this.starts[stage]! + this.stages[stage]!.durationS * 1000;
    const line =
      `t=${(at / 1000).toFixed(0)}s ${inStage ? `stage ${stage}` : "drain"}: ` +
      `offered ${rate(planned, this.last.planned)}/s, sent ${rate(sent, this.last.sent)}/s, delivered ${rate(delivered, this.last.delivered)}/s, ` +
      `in flight ${this.ledger.inFlight}, dropped ${this.ledger.counts.dropped}, p99 so far ${this.stats.total.delay.percentile(99)?.toFixed(0) ?? "-"} ms`;
    this.last = { at, sent, delivered, planned };
    return line;
  }
}

function send(m: PlannedMessage, scenario: Scenario, stack: EvmStack, pool: WalletPool, ledger: Ledger, sending: { count: number }): void {
  ledger.plan({
    id: m.id,
    kind: m.kind,
    sourceChain: m.source,
    destinationChain: m.destination,
    stage: m.stage,
    intendedAt: m.intendedAt,
  });
  if (sending.count >= scenario.maxInFlightSends) {
    ledger.notSent(m.id, `${sending.count} sends already waiting for the source node (maxInFlightSends)`);
    return;
  }
  sending.count++;
  const sentAt = now();
  const destination = stack.chain(m.destination).profile;
  const data = encodeFunctionData({
    abi: liquidationHubAbi,
    functionName: "trigger",
    args: [
      BigInt(m.id),
      TRIGGER_KIND_CODES[m.kind],
      keccak256(toHex(`position-${m.positionSalt}`)),
      "0x000000000000000000000000000000000000dEaD",
      2_000n * 10n ** 8n,
      BigInt(Math.round(Date.now() + scenario.deadlineMs[m.kind] - (now() - ledger.startedAt - m.intendedAt))),
      destination.wormholeChainId,
      CONSISTENCY_LEVEL[scenario.consistency],
      m.kind === "spam" ? toHex(new Uint8Array(scenario.spamPaddingBytes)) : "0x",
    ],
  });
  pool
    .send(stack.hubs.get(m.source)!, data, TRIGGER_GAS)
    .then(
      (txHash) => ledger.sent(m.id, sentAt, txHash),
      (err) => ledger.sendFailed(m.id, sentAt, (err as Error).message),
    )
    .finally(() => sending.count--);
}

/**
 * Finds the messages a reorg rolled back on a source chain: those seen in blocks that are no
 * longer canonical, and those sent but never seen whose transaction the node no longer
 * knows (pending when the reorg came). Tells the ledger; returns a summary for events.csv.
 */
async function rollBack(ledger: Ledger, stack: EvmStack, chain: Chain, blocks: SourceBlocks, from: bigint): Promise<string> {
  const seen = await blocks.rolledBack(from);
  const rpcUrl = stack.chain(chain).rpcUrl;
  const unseen = [...ledger.inFlightRecords()].filter((r) => r.sourceChain === chain && r.sendTxHash && r.sourceIncludedAt === undefined);
  const vanished: number[] = [];
  for (const r of unseen) if ((await rpc(rpcUrl, "eth_getTransactionByHash", [r.sendTxHash])) === null) vanished.push(r.id);
  for (const id of [...seen, ...vanished]) ledger.sourceRolledBack(id);
  return `${seen.length} messages rolled back, ${vanished.length} pending transactions gone`;
}

/** The harness's own observers: source inclusion, VAAs, relayer progress and on-chain delivery. */
function watchChains(stack: EvmStack, ledger: Ledger, sources: Chain[], destinations: Chain[]) {
  stack.guardianNetwork.on("vaa", (vaa) => {
    const id = Number(decodeTrigger(vaa.payload).triggerId);
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
      emitters: [stack.hubs.get(name)!],
      pollIntervalMs: OBSERVATION_POLL_MS,
      onMessage: ({ key, payload, seenAt, blockNumber, blockHash }) => {
        const id = Number(decodeTrigger(hexToBytes(payload)).triggerId);
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
      abi: liquidationReceiverAbi,
      pollIntervalMs: OBSERVATION_POLL_MS,
      onLogs: (logs, seenAt) => {
        for (const log of logs) {
          if (log.eventName !== "TriggerDelivered") continue;
          ledger.delivered(Number(log.args.triggerId), seenAt, log.transactionHash as Hex, log.args.late);
        }
      },
    });
  });
  return { watchers: [...sourceWatchers, ...deliveryWatchers], sourceBlocks };
}
