import { mkdirSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { onShutdown } from "../infra/instance.ts";
import type { Scenario, StageConfig } from "../load/scenario.ts";
import { searchCapacity } from "../load/search.ts";
import { DEFAULT_CRITERIA, type CapacityCriteria } from "../measure/capacity.ts";
import { schedule, type PlannedMessage } from "../load/schedule.ts";
import { stageStarts } from "../measure/stages.ts";
import { dispatch, prepareDispatcher } from "../load/dispatcher.ts";
import { Ledger } from "../measure/ledger.ts";
import { now } from "../infra/clock.ts";
import type { StageStats } from "../measure/stats.ts";
import { RunRecorder, writeManifest, type HarnessLimits, type ReportInput, type RunReport } from "../report/runReport.ts";
import type { BridgeDefinition, DeliveryPath } from "./bridge.ts";
import { serveMetrics } from "../report/metrics.ts";
import { messageOf } from "../infra/errors.ts";
import { watchResources } from "./resourceWatch.ts";

export interface RunOptions {
  /** Folder that receives the run's folder. [reports] */
  outDir?: string;
  /** Name of the run's folder (and the manifest's runId). [<start time>-<scenario>-seed<N>] */
  runId?: string;
  /** Called about once a second while messages are offered and drained. */
  onProgress?: (line: string) => void;
  /** Serve Prometheus metrics at http://127.0.0.1:<port>/metrics while the run goes (0: a port the OS chooses). */
  metricsPort?: number;
  /** Called with the live delivery path after the report is written and before it is stopped (tests read chain state here). */
  inspect?: (path: DeliveryPath) => Promise<void>;
  /** The delivery path to drive instead of the one the scenario's bridge names (tests). */
  path?: DeliveryPath;
}

export interface RunResult extends RunReport {
  runDir: string;
  /** The harness's own limits on this run (observation resolution, measured ceiling). */
  limits: HarnessLimits;
  /** What stopped the run before its end (the memory guard), when something did: its report is partial. */
  stoppedBy?: string;
}

/** How often the in-flight count is sampled for the timeline and its per-stage slope. */
const SAMPLE_EVERY_MS = 250;

/**
 * Runs a scenario end to end on `bridge` (the registered bridge its `bridge` field names; src/run.ts
 * picks it): starts its delivery path, offers the scheduled messages, waits
 * for them to drain, and writes the run's CSVs and manifest. Always stops what it started;
 * an interrupted or failed run still writes what it has, marked incomplete.
 */
export async function runScenario(scenario: Scenario, bridge: BridgeDefinition, options: RunOptions = {}): Promise<RunResult> {
  const startedAt = new Date();
  const runDir = createRunDir(
    resolve(options.outDir ?? "reports"),
    options.runId ?? `${startedAt.toISOString().replace(/[:.]/g, "-")}-${scenario.name}-seed${scenario.seed}`,
  );
  const runId = basename(runDir);
  const progress = options.onProgress ?? (() => undefined);

  const path: DeliveryPath = options.path ?? bridge.createPath(scenario, runDir);
  // A capacity search decides its stages (probes) as it goes; the report covers what ran.
  const stages: StageConfig[] = scenario.search ? [] : scenario.stages;
  const criteria: CapacityCriteria = {
    ...DEFAULT_CRITERIA,
    sloP99Ms: scenario.sloP99Ms,
    desyncMs: scenario.desyncMs,
    ...(scenario.maxLateShare !== undefined ? { maxLateShare: scenario.maxLateShare } : {}),
    ...bridge.criteria?.(scenario),
  };
  const reportInput = (): ReportInput => ({
    runId,
    runDir,
    scenario: { ...scenario, stages },
    startedAt,
    endpoints: path.endpoints(),
    limits: path.limits,
    criteria,
    tools: path.versions(),
    facts: () => path.manifest?.(),
  });
  writeManifest(reportInput(), "running", false);

  let recorder: RunRecorder | undefined;
  // Whoever ends the run first (normal end, Ctrl-C or failure) writes the report.
  const finish = (status: string, complete: boolean) =>
    recorder ? recorder.finish(status, complete) : Promise.resolve(writeManifest(reportInput(), status, false));
  const abort = new AbortController();
  /** What stopped the run early (the memory guard), when something did. */
  let stopCause: string | undefined;
  const removeHook = onShutdown(async () => {
    abort.abort();
    await finish("interrupted", false);
  });

  let closeMetrics: (() => Promise<void>) | undefined;
  try {
    progress(`starting ${path.description}`);
    await path.start();
    await path.measureCeiling();
    // The dispatcher's clock thread starts before the run clock does (starting it holds up the main thread).
    await prepareDispatcher();
    const ledger = new Ledger(scenario.deadlineMs);
    const activeRecorder = (recorder = new RunRecorder(reportInput(), ledger));
    if (options.metricsPort !== undefined) {
      const server = await serveMetrics(options.metricsPort, ledger, activeRecorder.stats);
      closeMetrics = server.close;
      progress(`metrics: ${server.url}`);
    }
    await path.attach(ledger, activeRecorder);
    // The run clock starts here, as dispatch does: stage 0 begins now, not while chains started or watchers attached.
    ledger.start();
    const live = new LiveProgress(ledger, activeRecorder.stats, stages);
    const sampler = setInterval(() => activeRecorder.sample(), SAMPLE_EVERY_MS);
    const endResourceWatch = watchResources({
      sources: { path: path.resources && (() => path.resources!()) },
      elapsed: () => ledger.elapsed(),
      record: (sample) => activeRecorder.sampleResources(sample),
      guard: scenario.memoryGuard,
      stop: (cause) => {
        // The load stops and the report is written from what the run has, marked incomplete.
        stopCause = cause;
        progress(`stopping: ${cause}`);
        abort.abort();
      },
    });
    const ticker = setInterval(() => progress(live.line()), 1000);
    let waiting = 0;
    const sendOne = (m: PlannedMessage) => {
      ledger.plan({ id: m.id, kind: m.kind, sourceChain: m.source, destinationChain: m.destination, stage: m.stage, intendedAt: m.intendedAt });
      if (waiting >= scenario.maxInFlightSends) {
        ledger.notSent(m.id, `${waiting} sends already waiting for the source node (maxInFlightSends)`);
        return;
      }
      waiting++;
      void path.send(m).finally(() => waiting--);
    };
    let complete = false;
    try {
      if (scenario.search) {
        await searchCapacity({
          scenario: { ...scenario, search: scenario.search },
          ledger,
          recorder: activeRecorder,
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
      complete = !abort.signal.aborted;
    } finally {
      clearInterval(ticker);
      clearInterval(sampler);
      endResourceWatch();
      await path.settle(complete);
    }
    complete &&= !abort.signal.aborted;
    if (complete) ledger.closeDrain();
    const status = complete ? "complete" : stopCause ? `stopped: ${stopCause}` : "interrupted";
    const result = await activeRecorder.finish(status, complete, stopCause);
    await options.inspect?.(path);
    return { runDir, limits: path.limits, ...result, ...(stopCause ? { stoppedBy: stopCause } : {}) };
  } catch (err) {
    await finish(`failed: ${messageOf(err)}`, false).catch(() => undefined);
    throw err;
  } finally {
    removeHook();
    await closeMetrics?.();
    await path.stop();
  }
}

/**
 * Makes a new folder `<parent>/<name>` for one run. Two runs given the same name (same scenario
 * and seed, started in the same millisecond, into the same --out) do not share a folder: the
 * second gets `<name>-2`, and so on (mkdir without `recursive` fails on a folder that exists).
 */
export function createRunDir(parent: string, name: string): string {
  mkdirSync(parent, { recursive: true });
  for (let n = 1; ; n++) {
    const dir = join(parent, n === 1 ? name : `${name}-${n}`);
    try {
      mkdirSync(dir);
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
}

/** One progress line a second: stage, rates over the last second, in flight, p99 so far (estimated from a sample: see approximatePercentile). */
class LiveProgress {
  private last = { at: 0, sent: 0, delivered: 0, planned: 0 };
  private starts: number[];

  constructor(
    private readonly ledger: Ledger,
    private readonly stats: StageStats,
    private readonly stages: StageConfig[],
  ) {
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
      `in flight ${this.ledger.inFlight}, dropped ${this.ledger.counts.dropped}, p99 so far ≈ ${this.stats.total.delay.approximatePercentile(99)?.toFixed(0) ?? "-"} ms`;
    this.last = { at, sent, delivered, planned };
    return line;
  }
}
