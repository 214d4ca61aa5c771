import { renameSync, rmSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { basename, join } from "node:path";
import type { Scenario } from "../load/scenario.ts";
import type { Ledger } from "../measure/ledger.ts";
import type { Anomaly, MessageRecord } from "../measure/record.ts";
import { StageStats, type InFlightSample, type StageSummary } from "../measure/stats.ts";
import { capacityVerdict, DEFAULT_CRITERIA, judgeStage, type CapacityCriteria, type CapacityVerdict, type StageJudgement } from "../measure/capacity.ts";
import { evaluateThresholds, type ThresholdResult } from "../measure/thresholds.ts";
import type { GuardianDelayRow } from "../measure/guardianDelays.ts";
import { CsvStream, OutputError, writeCsv } from "./csv.ts";
import type { CsvTable } from "./csvTable.ts";
import { ANOMALIES, EVENTS, GUARDIANS, HOPS_TABLE, hopRecords, MESSAGES, RESOURCES, STEPS, stepRecords, SUMMARY, THRESHOLDS, TIMELINE } from "./tables.ts";
import { addResources, MinuteWindows, type ResourceSample } from "../measure/resources.ts";
import { stageStarts } from "../measure/stages.ts";
import { faultLabel, type FaultEvent } from "../measure/faultEvents.ts";
import { tryWriteHtmlReport } from "./html.ts";
import { environmentFacts, fileSha256, MANIFEST, scenarioHash, sequenceHash } from "./manifest.ts";
import { machineBusyMs } from "../measure/machineCpu.ts";
import { messageOf } from "../infra/errors.ts";

/** Observation limits of the harness, printed next to every result. */
export interface HarnessLimits {
  /** Head polling interval of the harness's chain watchers, ms. */
  observationPollMs: number;
  /** The harness's own ceiling, measured before the load: messages/s its per-message CPU work allows on one core. */
  ceilingMsgsPerS?: number;
  /** What that ceiling measured. */
  ceilingWhat?: string;
}

/** Harness ceiling ÷ measured capacity (or, when no stage passed, the highest delivered rate). */
export function headroom(limits: HarnessLimits, verdict: CapacityVerdict, stats: StageStats): number | undefined {
  const measured = verdict.capacity ?? Math.max(0, ...stats.stages.map((s) => s.deliveredRate));
  if (!limits.ceilingMsgsPerS || !measured) return undefined;
  return limits.ceilingMsgsPerS / measured;
}

export interface ReportInput {
  runId: string;
  runDir: string;
  scenario: Scenario;
  startedAt: Date;
  endpoints: Record<string, string>;
  limits: HarnessLimits;
  criteria?: CapacityCriteria;
  /** Versions of the tools the run used beyond npm packages (chain binaries, relayers). */
  tools?: Record<string, string>;
  /** The delivery path's own manifest fields (DeliveryPath.manifest), read each time the manifest is written. */
  facts?: () => Record<string, unknown> | undefined;
}

export interface RunReport {
  stats: StageStats;
  /** Each stage's verdict, one per stage (steps.csv's sustainable, failed_criteria and judged_* columns). */
  judgements: StageJudgement[];
  verdict: CapacityVerdict;
  thresholds: ThresholdResult[];
  criteria: CapacityCriteria;
  /** report.html, or why it could not be built (the CSVs stand without it). */
  html: { path: string } | { error: string };
  /** Report files that could not be written in full (disk full, …): each names the file and how much of it was written. */
  outputErrors: string[];
}

/** Writes manifest.json alone: at the start of a run, marked incomplete, so even a kill -9 leaves that on record. */
export function writeManifest(input: ReportInput, status: string, complete: boolean, extra: Record<string, unknown> = {}): void {
  const { runId, scenario, startedAt, endpoints, limits, tools, facts } = input;
  const manifest = {
    runId,
    complete,
    status,
    scenario: { name: scenario.name, sha256: scenarioHash(scenario), config: scenario },
    seed: scenario.seed,
    sequenceSha256: sequenceHash(scenario),
    startedAt: startedAt.toISOString(),
    endedAt: status === "running" ? undefined : new Date().toISOString(),
    endpoints,
    harnessLimits: limits,
    environment: environmentFacts(),
    tools,
    ...facts?.(),
    ...extra,
  };
  // Written aside and renamed over the old one: a write that fails (disk full) leaves the previous manifest whole.
  const path = join(input.runDir, MANIFEST);
  try {
    writeFileSync(`${path}.tmp`, `${JSON.stringify(manifest, (_, v) => (typeof v === "bigint" ? String(v) : v), 2)}\n`);
    renameSync(`${path}.tmp`, path);
  } catch (err) {
    rmSync(`${path}.tmp`, { force: true });
    const { code, message } = err as NodeJS.ErrnoException;
    throw new OutputError(`${MANIFEST}: ${code ?? "write error"} (${message}); ${path} is left as it was`);
  }
}

/**
 * Records a run as it goes: every message is counted and written to messages.csv when it
 * finishes (and forgotten by the ledger), anomalies go to anomalies.csv, the in-flight
 * count is sampled. finish() writes the per-stage, summary and timeline CSVs and the
 * manifest with every CSV's checksum.
 */
export class RunRecorder {
  readonly stats: StageStats;
  readonly samples: InFlightSample[] = [];
  /** The run minute by minute (resources.csv). */
  readonly minutes = new MinuteWindows();
  private readonly messages: CsvStream<MessageRecord>;
  private readonly anomalies: CsvStream<Anomaly>;
  private finished: Promise<RunReport> | undefined;
  /** Fault start/end events to write to events.csv. */
  faultEvents: FaultEvent[] = [];
  /** Judgements made before the report (a capacity search's probes, judged when decided); the report keeps them. */
  private readonly judged: StageJudgement[] = [];
  /** Guardian observation skews (times on the run clock's base, clock.now()), read when the report is written. */
  observationSkews: () => Iterable<{ firstAt: number; skew: number }> = () => [];
  /** guardians.csv's rows, read when the report is written; undefined on a path without guardians (no file). */
  guardianDelays: (() => Iterable<GuardianDelayRow>) | undefined;

  constructor(
    private readonly input: ReportInput,
    private readonly ledger: Ledger,
  ) {
    this.stats = new StageStats(input.scenario.stages);
    this.messages = CsvStream.open(input.runDir, MESSAGES);
    this.anomalies = CsvStream.open(input.runDir, ANOMALIES);
    ledger.onPlan = (r) => this.stats.offer(r.stage, r.kind);
    ledger.onFinal = (r) => {
      this.stats.add(r);
      if (r.status === "delivered") this.minutes.delivered(r.deliveredAt!, r.deliveredAt! - r.intendedAt);
      this.messages.write(r);
    };
    ledger.onAnomaly = (a) => {
      this.stats.addAnomaly(a);
      this.anomalies.write(a);
    };
  }

  sample(): void {
    const cpu = process.cpuUsage();
    const loop = performance.eventLoopUtilization();
    this.samples.push({
      at: this.ledger.elapsed(),
      inFlight: this.ledger.inFlight,
      cpuMs: (cpu.user + cpu.system) / 1000,
      loopActiveMs: loop.active,
      machineBusyMs: machineBusyMs(),
    });
  }

  /** Counts a resource sample into the stage whose window holds it and into its minute. */
  sampleResources(sample: ResourceSample): void {
    const stage = this.stats.stageAt(sample.at);
    const resources = stage === undefined ? undefined : this.stats.stages[stage]!.resources;
    if (resources) addResources(resources, sample);
    this.minutes.add(sample);
  }

  /**
   * Judges a stage now, once: the report uses this judgement (its failed criteria and the
   * figures they were read from) instead of judging the stage again after the drain.
   */
  judge(stage: number): StageJudgement {
    this.stats.setInFlight(this.samples);
    const judgement = judgeStage(this.stats.stages[stage]!, this.criteria, { faults: faultsByStage(this.input.scenario)[stage], atMs: this.ledger.elapsed() });
    this.judged[stage] = judgement;
    return judgement;
  }

  private get criteria(): CapacityCriteria {
    return this.input.criteria ?? DEFAULT_CRITERIA;
  }

  /** Resolves when the CSV streams have caught up. */
  async drained(): Promise<void> {
    await Promise.all([this.messages.drained(), this.anomalies.drained()]);
  }

  /**
   * Writes the report once; later calls (Ctrl-C racing the normal end) get the same result.
   * `stoppedBy` names what stopped the run early (the memory guard), in the manifest.
   */
  finish(status: string, complete: boolean, stoppedBy?: string): Promise<RunReport> {
    this.finished ??= this.write(status, complete, stoppedBy);
    return this.finished;
  }

  private async write(status: string, complete: boolean, stoppedBy: string | undefined): Promise<RunReport> {
    const { runDir, scenario } = this.input;
    const criteria = this.criteria;
    // An interrupted run lists what was still under way, marked in-flight.
    for (const r of this.ledger.unfinishedRecords()) this.messages.write(r);
    await Promise.all([this.messages.close(), this.anomalies.close()]);
    // A file that cannot be written (disk full) costs that file, not the rest of the report.
    const failed = new Map<string, string>();
    for (const csv of [this.messages, this.anomalies]) if (csv.failure !== undefined) failed.set(basename(csv.path), csv.failure);
    const attempt = async (file: string, write: () => Promise<void>) => {
      try {
        await write();
      } catch (err) {
        failed.set(file, err instanceof OutputError ? err.shortMessage : `${file}: ${messageOf(err)}`);
      }
    };
    const stats = this.stats;
    stats.setInFlight(this.samples);
    for (const { firstAt, skew } of this.observationSkews()) stats.addObservationSkew(this.ledger.elapsed(firstAt), skew);
    const faults = faultsByStage(scenario);
    const atMs = this.ledger.elapsed();
    const judgements = stats.stages.map((s) => this.judged[s.stage] ?? judgeStage(s, criteria, { faults: faults[s.stage], atMs }));
    const verdict = capacityVerdict(stats.stages, judgements);
    const metrics = stats.thresholdMetrics();
    const thresholds = evaluateThresholds(scenario.thresholds, metrics, (p) => stats.total.delay.percentile(p));

    const files: string[] = [MESSAGES, ANOMALIES, STEPS, HOPS_TABLE, SUMMARY, TIMELINE, RESOURCES, EVENTS].map((table) => table.file);
    const write = <T>(table: CsvTable<T>, records: Iterable<T>) => attempt(table.file, () => writeCsv(runDir, table, records));
    await write(STEPS, stepRecords(stats.stages, judgements, scenario.risk));
    await write(EVENTS, this.faultEvents);
    await write(HOPS_TABLE, hopRecords(stats.stages));
    const t = stats.total;
    const most = (figure: (s: StageSummary) => number | undefined) => Math.max(...stats.stages.map((s) => figure(s) ?? 0));
    await write(SUMMARY, [
      {
        scenario: scenario.name,
        seed: scenario.seed,
        complete: complete && failed.size === 0,
        total: t,
        p50: metrics.p50,
        p99: metrics.p99,
        max: metrics.max,
        verdict,
        thresholdsFailed: thresholds.filter((r) => !r.passed).length,
        sendLatenessP99: metrics.send_lateness_p99,
        observationPollMs: this.input.limits.observationPollMs,
        ceilingMsgsPerS: this.input.limits.ceilingMsgsPerS,
        harnessCpuMax: most((s) => s.harnessCpu),
        harnessLoopBusyMax: most((s) => s.harnessLoopBusy),
        machineCpuMax: most((s) => s.machineCpu),
        headroom: headroom(this.input.limits, verdict, stats),
      },
    ]);
    await write(
      TIMELINE,
      this.samples.map((s) => ({ at: s.at, stage: stats.stageAt(s.at), inFlight: s.inFlight })),
    );
    await write(
      RESOURCES,
      this.minutes.minutes().map((m) => ({ ...m, stage: stats.stageAt(m.minute * 60_000) })),
    );
    if (thresholds.length) {
      files.push(THRESHOLDS.file);
      await write(THRESHOLDS, thresholds);
    }
    if (this.guardianDelays) {
      files.push(GUARDIANS.file);
      await write(GUARDIANS, this.guardianDelays());
    }
    // Only files written in full get a checksum; the manifest says which are not and why.
    const checksums = Object.fromEntries(files.filter((f) => !failed.has(f)).map((f) => [f, fileSha256(join(runDir, f))]));
    const outputErrors = () => [...failed.values()];
    const finalStatus = () => (failed.size ? `${status}; report incomplete: ${outputErrors().join("; ")}` : status);
    await attempt(MANIFEST, async () =>
      writeManifest(this.input, finalStatus(), complete && failed.size === 0, {
        sha256: checksums,
        thresholds: thresholds.map((r) => ({ threshold: r.text, actual: r.actual, passed: r.passed })),
        criteria,
        judgements,
        ...(stoppedBy ? { stoppedBy } : {}),
        ...(failed.size ? { outputErrors: outputErrors() } : {}),
      }),
    );
    // report.html is built from the CSVs: not from ones cut short.
    const html = failed.size ? { error: `not built, the report's files are incomplete: ${outputErrors().join("; ")}` } : await tryWriteHtmlReport(runDir);
    return { stats, judgements, verdict, thresholds, criteria, html, outputErrors: outputErrors() };
  }
}

/**
 * Labels of the faults whose window overlaps each stage's window [start, end): a fault from
 * atS for forS seconds overlaps when atS < end and atS + forS > start; a momentary fault
 * (forS 0: a reorg, a restart) when start ≤ atS < end.
 */
export function faultsByStage(scenario: Pick<Scenario, "stages" | "faults">): string[] {
  const starts = stageStarts(scenario);
  return scenario.stages.map((stage, i) => {
    const [from, to] = [starts[i]! / 1000, starts[i]! / 1000 + stage.durationS];
    return scenario.faults
      .filter((f) => f.atS < to && (f.atS + f.forS > from || (f.forS === 0 && f.atS >= from)))
      .map(faultLabel)
      .join(";");
  });
}
