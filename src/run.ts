import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { encodeFunctionData, keccak256, toHex, type Address, type Hex } from "viem";
import type { Chain } from "@wormhole-foundation/sdk-base";
import { chainProfile } from "../chains/profiles.ts";
import { onShutdown } from "../chains/instance.ts";
import { LogWatcher } from "../chains/logWatcher.ts";
import { WalletPool } from "../chains/walletPool.ts";
import { roleKeys } from "../chains/devAccounts.ts";
import { coreAbi } from "./bridge/core.ts";
import { decodeTrigger, TRIGGER_KIND_CODES } from "./bridge/payload.ts";
import { toEmitterAddress } from "./bridge/vaa.ts";
import { liquidationHubAbi, liquidationReceiverAbi } from "../fixtures/contracts/artifacts/index.ts";
import { CONSISTENCY_LEVEL, type Scenario } from "./load/scenario.ts";
import { schedule, type PlannedMessage } from "./load/schedule.ts";
import { dispatch } from "./load/dispatcher.ts";
import { loadRelayerPreset } from "./relayer/config.ts";
import { vaaKey } from "./relayer/relayer.ts";
import { Ledger } from "./measure/ledger.ts";
import { now } from "./measure/clock.ts";
import { summarizeStages, type StageSummary } from "./measure/stats.ts";
import { writeMessagesCsv, writeStepsCsv } from "./report/csv.ts";
import { EvmStack } from "./stack.ts";

export interface RunOptions {
  /** Folder that receives the run's folder. [reports] */
  outDir?: string;
  /** Called about once a second while messages are offered and drained. */
  onProgress?: (line: string) => void;
  /** Called with the live stack after the report is written and before it is stopped (tests read chain state here). */
  inspect?: (stack: EvmStack) => Promise<void>;
}

export interface RunResult {
  runDir: string;
  stages: StageSummary[];
  ledger: Ledger;
  stack: { hubs: Map<Chain, Address>; receivers: Map<Chain, Address>; rpcUrls: Map<Chain, string> };
}

/** Gas of one LiquidationHub.trigger call (publishMessage ≈ 51 k plus payload and padding). */
const TRIGGER_GAS = 250_000n;

/**
 * Runs a scenario end to end: starts the stack, offers the scheduled messages, waits for
 * them to drain, and writes messages.csv and steps.csv. Always stops what it started; an
 * interrupted or failed run still writes what it has, marked incomplete.
 */
export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<RunResult> {
  const runId = `${new Date().toISOString().replace(/[:.]/g, "-")}-${scenario.name}-seed${scenario.seed}`;
  const runDir = resolve(options.outDir ?? "reports", runId);
  mkdirSync(runDir, { recursive: true });
  const progress = options.onProgress ?? (() => undefined);

  const sources = [...new Set(scenario.routes.map((r) => r.from))];
  const destinations = [...new Set(scenario.routes.flatMap((r) => r.to))];
  const profiles = [...new Set([...sources, ...destinations])].map((name) => {
    const { blockTimeMs, mode } = scenario.chains[name] ?? {};
    return chainProfile(name, { ...(blockTimeMs ? { blockTimeMs } : {}), ...(mode ? { mode } : {}) });
  });
  const stack = new EvmStack({ chains: profiles, sources, destinations, guardians: scenario.guardians, relayer: loadRelayerPreset(scenario.relayer) });
  let ledger: Ledger | undefined;
  let complete = false;
  const writeRunJson = (status: string) =>
    writeFileSync(join(runDir, "run.json"), `${JSON.stringify({ runId, scenario: scenario.name, seed: scenario.seed, complete, status, endpoints: stack.endpoints() }, null, 2)}\n`);
  // Marks the folder incomplete from the start: even a kill -9 leaves that on record.
  writeRunJson("running");
  // The first caller writes the report (normal end, Ctrl-C or failure); later callers get the same result.
  let report: Promise<StageSummary[]> | undefined;
  const writeReport = (status: string): Promise<StageSummary[]> =>
    (report ??= (async () => {
      const stages = ledger ? summarizeStages(ledger.all(), scenario.stages) : [];
      if (ledger) {
        await writeMessagesCsv(join(runDir, "messages.csv"), ledger.all());
        await writeStepsCsv(join(runDir, "steps.csv"), stages);
      }
      writeRunJson(status);
      return stages;
    })());
  const abort = new AbortController();
  const removeHook = onShutdown(async () => {
    abort.abort();
    await writeReport("interrupted");
  });

  try {
    progress(`starting ${profiles.map((p) => p.name).join(", ")}, ${scenario.guardians} guardians, relayer preset "${scenario.relayer}"`);
    await stack.start();
    const activeLedger = (ledger = new Ledger());
    const watchers = watchChains(stack, activeLedger, sources, destinations);
    await Promise.all(watchers.map((w) => w.start()));
    const senders = new Map<Chain, WalletPool>();
    for (const name of sources) {
      const c = stack.chain(name);
      const pool = new WalletPool({ rpcUrl: c.rpcUrl, chainId: c.profile.evmChainId, privateKeys: roleKeys("senders", scenario.senders) });
      await pool.init();
      senders.set(name, pool);
    }

    const ticker = setInterval(() => progress(progressLine(activeLedger)), 1000);
    try {
      await dispatch(schedule(scenario), activeLedger.startedAt, (m) => send(m, scenario, stack, senders.get(m.source)!, activeLedger), abort.signal);
      const drainUntil = now() + scenario.drainS * 1000;
      while (now() < drainUntil && !abort.signal.aborted && inFlight(activeLedger) > 0) await sleep(100);
    } finally {
      clearInterval(ticker);
    }
    // Let submissions under way land, then take in every delivery up to the head before judging.
    await stack.relayer.settle(5_000);
    await Promise.all(watchers.map((w) => w.sweep()));
    await Promise.all(watchers.map((w) => w.stop()));
    activeLedger.closeDrain();
    complete = !abort.signal.aborted;
    const stages = await writeReport(complete ? "complete" : "interrupted");
    await options.inspect?.(stack);
    return {
      runDir,
      stages,
      ledger: activeLedger,
      stack: { hubs: stack.hubs, receivers: stack.receivers, rpcUrls: new Map([...stack.chains].map(([n, c]) => [n, c.rpcUrl])) },
    };
  } catch (err) {
    await writeReport(`failed: ${(err as Error).message}`).catch(() => undefined);
    throw err;
  } finally {
    removeHook();
    await stack.stop();
  }
}

function inFlight(ledger: Ledger): number {
  let n = 0;
  for (const r of ledger.all()) if (r.status === "in-flight") n++;
  return n;
}

function progressLine(ledger: Ledger): string {
  let sent = 0, delivered = 0, dropped = 0, stage = 0;
  for (const r of ledger.all()) {
    stage = Math.max(stage, r.stage);
    if (r.sentAt !== undefined) sent++;
    if (r.status === "delivered") delivered++;
    if (r.status === "dropped") dropped++;
  }
  return `t=${(ledger.elapsed() / 1000).toFixed(0)}s stage ${stage}: sent ${sent}, delivered ${delivered}, dropped ${dropped}, in flight ${sent - delivered - dropped}`;
}

function send(m: PlannedMessage, scenario: Scenario, stack: EvmStack, pool: WalletPool, ledger: Ledger): void {
  ledger.plan({
    id: m.id,
    kind: m.kind,
    sourceChain: m.source,
    destinationChain: m.destination,
    stage: m.stage,
    intendedAt: m.intendedAt,
  });
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
  pool.send(stack.hubs.get(m.source)!, data, TRIGGER_GAS).then(
    (txHash) => ledger.sent(m.id, sentAt, txHash),
    (err) => ledger.sendFailed(m.id, sentAt, (err as Error).message),
  );
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
  stack.relayer.events.on("duplicate", (e) => ledger.duplicateAttempt(e.key));
  stack.relayer.events.on("gaveUp", (e) => ledger.relayerGaveUp(e.key, e.reason));

  const sourceWatchers = sources.map((name) => {
    const c = stack.chain(name);
    const hub = stack.hubs.get(name)!.toLowerCase();
    return new LogWatcher({
      rpcUrl: c.rpcUrl,
      addresses: [c.profile.coreAddress],
      abi: coreAbi,
      onLogs: (logs, seenAt) => {
        for (const log of logs) {
          if (log.eventName !== "LogMessagePublished" || log.args.sender.toLowerCase() !== hub) continue;
          const id = Number(decodeTrigger(hexBytes(log.args.payload)).triggerId);
          ledger.sourceIncluded(id, vaaKey(c.profile.wormholeChainId, toEmitterAddress(log.args.sender), log.args.sequence), seenAt);
        }
      },
    });
  });
  const deliveryWatchers = destinations.map((name) => {
    const c = stack.chain(name);
    return new LogWatcher({
      rpcUrl: c.rpcUrl,
      addresses: [stack.receivers.get(name)!],
      abi: liquidationReceiverAbi,
      onLogs: (logs, seenAt) => {
        for (const log of logs) {
          if (log.eventName !== "TriggerDelivered") continue;
          ledger.delivered(Number(log.args.triggerId), seenAt, log.transactionHash as Hex, log.args.late);
        }
      },
    });
  });
  return [...sourceWatchers, ...deliveryWatchers];
}

function hexBytes(hex: Hex): Uint8Array {
  return new Uint8Array(Buffer.from(hex.slice(2), "hex"));
}
