import type { Anomaly, MessageRecord } from "../measure/record.ts";
import type { DelayHistogram } from "../measure/histogram.ts";
import { type Hop, HOPS } from "../measure/hops.ts";
import type { StageSummary } from "../measure/stats.ts";
import { DEFAULT_RISK, type RiskSettings, type StageRisk, stageRisk } from "../measure/risk.ts";
import type { CapacityVerdict, StageJudgement } from "../measure/capacity.ts";
import type { ThresholdResult } from "../measure/thresholds.ts";
import type { FaultEvent } from "../measure/faultEvents.ts";
import type { Comparison, RunStatistic } from "../measure/comparison.ts";
import { dropReasonText } from "../measure/dropReasons.ts";
import type { GuardianDelayRow } from "../measure/guardianDelays.ts";
import type { MinuteResources, SpanResources } from "../measure/resources.ts";

// Every CSV the harness writes, each declared once: its file name, its columns in order and how a
// row's cells are made from the record (the writer in csv.ts, the read-back in readBack.ts and
// compare use these; README.md documents every column, checked by tables.test.ts).

import { type CsvTable, figure, fixed, fixed1, ms, probability, table, text, trimmed } from "./csvTable.ts";

const delivered = (r: MessageRecord) => r.status === "delivered";

/** messages.csv: one row per message, written as messages finish. */
export const MESSAGES = table<MessageRecord>()("messages.csv", {
  message_id: (r) => String(r.id),
  kind: (r) => r.kind,
  source_chain: (r) => r.sourceChain,
  destination_chain: (r) => r.destinationChain,
  stage: (r) => String(r.stage),
  intended_at_ms: (r) => ms(r.intendedAt),
  sent_at_ms: (r) => ms(r.sentAt),
  source_included_at_ms: (r) => ms(r.sourceIncludedAt),
  vaa_ready_at_ms: (r) => ms(r.vaaReadyAt),
  relayer_fetched_at_ms: (r) => ms(r.relayerFetchedAt),
  relayer_submitted_at_ms: (r) => ms(r.relayerSubmittedAt),
  delivered_at_ms: (r) => ms(delivered(r) ? r.deliveredAt : undefined),
  acknowledged_at_ms: (r) => ms(r.acknowledgedAt),
  delay_ms: (r) => ms(delivered(r) ? r.deliveredAt! - r.intendedAt : undefined),
  delay_from_send_ms: (r) => ms(delivered(r) && r.sentAt !== undefined ? r.deliveredAt! - r.sentAt : undefined),
  status: (r) => r.status,
  drop_reason: (r) => (r.dropReason ? dropReasonText(r.dropReason) : ""),
  late: (r) => text(r.late),
  late_onchain: (r) => text(r.lateOnchain),
  late_measured: (r) => text(r.lateMeasured),
  attempts: (r) => String(r.attempts),
  out_of_order: (r) => String(Boolean(r.outOfOrder)),
  vaa_id: (r) => r.vaaKey ?? "",
  source_tx: (r) => r.sendTxHash ?? "",
  delivery_tx: (r) => r.deliveryTxHash ?? "",
});

/** anomalies.csv: duplicates and events that matched no message. */
export const ANOMALIES = table<Anomaly>()("anomalies.csv", {
  at_ms: (a) => ms(a.at),
  kind: (a) => a.kind,
  message_id: (a) => text(a.messageId),
  stage: (a) => text(a.stage),
  detail: (a) => a.detail,
});

/** A stage with its verdict (made once: judgeStage) and its liquidation risk. */
export interface StepRecord {
  s: StageSummary;
  j: StageJudgement;
  risk: StageRisk;
}

/** steps.csv's records: `judgements[i]` is stage i's verdict, made once (judgeStage; the faults that overlapped it are in it). */
export function stepRecords(stages: StageSummary[], judgements: StageJudgement[], risk: RiskSettings = DEFAULT_RISK): StepRecord[] {
  return stages.map((s) => ({ s, j: judgements[s.stage]!, risk: stageRisk(s, risk) }));
}

/** Bytes as MB (2^20 bytes) with one decimal; empty when undefined. */
const mb = (bytes: number | undefined) => (bytes === undefined ? "" : fixed1(bytes / 2 ** 20));
/** `name=value` pairs sorted by name, `;`-separated (values already formatted). */
const byName = (pairs: Iterable<[string, string]>) =>
  [...pairs]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join(";");
/** A span's columns shared by steps.csv and resources.csv. */
const resourceCells = <T>(of: (record: T) => SpanResources | undefined) => ({
  harness_rss_max_mb: (r: T) => mb(of(r)?.harnessRssMax),
  harness_heap_max_mb: (r: T) => mb(of(r)?.harnessHeapMax),
  process_rss_max_mb: (r: T) => byName([...(of(r)?.processRssMax ?? [])].map(([name, bytes]) => [name, mb(bytes)])),
  block_lateness_p99_ms: (r: T) => byName([...(of(r)?.blockLateness ?? [])].map(([chain, h]) => [chain, ms(h.percentile(99))])),
});

/** A figure of a stage's end-to-end delays (ms, one decimal in the CSV); it needs only the delays, so /metrics reads it from the run's total. */
const delayFigure = (of: (delay: DelayHistogram) => number | undefined) => figure(({ s }: { s: { delay: DelayHistogram } }) => of(s.delay), ms);

/**
 * steps.csv: one row per stage (or capacity-search probe). The console table (summaryTable.ts)
 * and /metrics (metrics.ts) read a stage's figures from here (cells by column name), so each is
 * computed in one place.
 */
export const STEPS = table<StepRecord>()("steps.csv", {
  stage: ({ s }) => String(s.stage),
  rate_from: ({ s }) => String(s.startRate),
  rate_to: ({ s }) => String(s.endRate),
  offered_rate: ({ s }) => String(s.offeredRate),
  duration_s: ({ s }) => String(s.durationS),
  offered: ({ s }) => String(s.offered),
  sent: ({ s }) => String(s.sent),
  not_sent: ({ s }) => String(s.notSent),
  delivered: ({ s }) => String(s.delivered),
  dropped: ({ s }) => String(s.dropped),
  duplicates: ({ s }) => String(s.duplicates),
  duplicate_attempts: ({ s }) => String(s.duplicateAttempts),
  phantom_deliveries: ({ s }) => String(s.phantoms),
  late: ({ s }) => String(s.late),
  out_of_order: ({ s }) => String(s.outOfOrder),
  delivered_rate: ({ s }) => s.deliveredRate.toFixed(2),
  p50_ms: delayFigure((d) => d.percentile(50)),
  p90_ms: delayFigure((d) => d.percentile(90)),
  p99_ms: delayFigure((d) => d.percentile(99)),
  p999_ms: delayFigure((d) => d.percentile(99.9)),
  max_ms: delayFigure((d) => d.percentile(100)),
  min_ms: delayFigure((d) => (d.count ? d.min : undefined)),
  mean_ms: delayFigure((d) => d.mean),
  stddev_ms: delayFigure((d) => d.stddev),
  jitter_ms: delayFigure((d) => d.jitter),
  p99_from_send_ms: ({ s }) => ms(s.delayFromSend.percentile(99)),
  in_flight_slope: ({ s }) => fixed(s.inFlightSlope, 2),
  delay_slope: figure(
    ({ j }: StepRecord) => j.figures.delaySlope,
    (v) => fixed(v, 4),
  ),
  delay_slope_low: ({ j }) => fixed(j.figures.delaySlopeLow, 4),
  backlog_allowance: ({ j }) => fixed(j.figures.backlogAllowance, 4),
  observation_skew_p50_ms: ({ s }) => ms(s.observationSkew.percentile(50)),
  observation_skew_p99_ms: ({ s }) => ms(s.observationSkew.percentile(99)),
  height_skew_max: ({ s }) => text(s.heightSkewMax),
  send_lateness_p99_ms: ({ s }) => ms(s.sendLateness.percentile(99)),
  send_lateness_max_ms: ({ s }) => ms(s.sendLateness.percentile(100)),
  harness_cpu: ({ s }) => fixed(s.harnessCpu, 2),
  harness_loop_busy: ({ s }) => fixed(s.harnessLoopBusy, 2),
  machine_cpu: ({ s }) => fixed(s.machineCpu, 2),
  ...resourceCells<StepRecord>(({ s }) => s.resources),
  liquidation_triggers: ({ risk }) => String(risk.triggers),
  missed_liquidations: ({ risk }) => String(risk.missed),
  late_liquidations: ({ risk }) => String(risk.late),
  liquidation_p99_ms: ({ risk }) => ms(risk.p99DelayMs),
  shortfall_probability: ({ risk }) => probability(risk.shortfallProbability),
  judged_as: ({ j }) => j.judgedAs,
  judged_at_ms: ({ j }) => ms(j.judgedAtMs),
  judged_delivered: ({ j }) => String(j.figures.delivered),
  judged_unfinished: ({ j }) => String(j.figures.unfinished),
  judged_liquidations: ({ j }) => String(j.figures.liquidationOffered),
  judged_liquidations_missed: ({ j }) => String(j.figures.liquidationMissed),
  sustainable: ({ j }) => String(j.failed.length === 0),
  failed_criteria: figure(
    ({ j }: StepRecord) => j.failed,
    (failed) => failed.join(";"),
  ),
  drop_reasons: figure(
    ({ s }: StepRecord) => [...s.dropReasons],
    (reasons) => reasons.map(([reason, n]) => `${reason}=${n}`).join(";"),
  ),
  faults: ({ j }) => j.faults,
});

/** One stage's figures for one hop of the message path. */
export interface HopRecord {
  stage: number;
  hop: Hop;
  h: DelayHistogram;
}

/** hops.csv's records: every stage's hops that some message of the run took (all of them when none did). */
export function hopRecords(stages: StageSummary[]): HopRecord[] {
  const all = Object.keys(HOPS) as Hop[];
  const taken = all.filter((hop) => stages.some((s) => s.hops[hop].count > 0));
  const hops = taken.length ? taken : all;
  return stages.flatMap((s) => hops.map((hop) => ({ stage: s.stage, hop, h: s.hops[hop] })));
}

/** hops.csv: one row per stage and hop (hops no message of the run took are left out). */
export const HOPS_TABLE = table<HopRecord>()("hops.csv", {
  stage: (r) => String(r.stage),
  hop: (r) => r.hop,
  count: (r) => String(r.h.count),
  p50_ms: (r) => ms(r.h.percentile(50)),
  p90_ms: (r) => ms(r.h.percentile(90)),
  p99_ms: (r) => ms(r.h.percentile(99)),
  p999_ms: (r) => ms(r.h.percentile(99.9)),
  max_ms: (r) => ms(r.h.percentile(100)),
  mean_ms: (r) => ms(r.h.mean),
  stddev_ms: (r) => ms(r.h.stddev),
});

/** guardians.csv (Wormhole): one row per stage and guardian, from the signatures that reached the aggregation point. */
export const GUARDIANS = table<GuardianDelayRow>()("guardians.csv", {
  stage: (r) => String(r.stage),
  guardian: (r) => String(r.guardian),
  region: (r) => r.region,
  signatures: (r) => String(r.signatures),
  reobserved: (r) => String(r.reobserved),
  observation_p50_ms: (r) => ms(r.observationP50),
  observation_p99_ms: (r) => ms(r.observationP99),
  observation_max_ms: (r) => ms(r.observationMax),
  arrival_p50_ms: (r) => ms(r.arrivalP50),
  arrival_p99_ms: (r) => ms(r.arrivalP99),
  arrival_max_ms: (r) => ms(r.arrivalMax),
});

/** What summary.csv's one row says: the run's totals, its verdict and the harness's limits. */
export interface RunSummary {
  scenario: string;
  seed: number | string;
  complete: boolean;
  total: Pick<StageSummary, "offered" | "delivered" | "dropped" | "late" | "duplicates" | "phantoms">;
  p50?: number;
  p99?: number;
  max?: number;
  verdict: CapacityVerdict;
  thresholdsFailed: number;
  sendLatenessP99?: number;
  observationPollMs: number;
  ceilingMsgsPerS?: number;
  harnessCpuMax: number;
  harnessLoopBusyMax: number;
  machineCpuMax: number;
  headroom?: number;
}

/** summary.csv: one row. */
export const SUMMARY = table<RunSummary>()("summary.csv", {
  scenario: (r) => r.scenario,
  seed: (r) => String(r.seed),
  complete: (r) => String(r.complete),
  offered: (r) => String(r.total.offered),
  delivered: (r) => String(r.total.delivered),
  dropped: (r) => String(r.total.dropped),
  late: (r) => String(r.total.late),
  duplicates: (r) => String(r.total.duplicates),
  phantom_deliveries: (r) => String(r.total.phantoms),
  p50_ms: (r) => fixed(r.p50, 1),
  p99_ms: (r) => fixed(r.p99, 1),
  max_ms: (r) => fixed(r.max, 1),
  throughput_capacity: (r) => text(r.verdict.capacity),
  capacity_bound: (r) => text(r.verdict.bound),
  failure_threshold: (r) => text(r.verdict.failureThreshold),
  failed_criteria: (r) => r.verdict.failed.join(";"),
  knee_rate: (r) => text(r.verdict.knee),
  stages_under_fault: (r) => String(r.verdict.leftOut.filter((l) => l.judgedAs === "under-fault").length),
  stages_harness_limited: (r) => String(r.verdict.leftOut.filter((l) => l.judgedAs === "harness-limited").length),
  thresholds_failed: (r) => String(r.thresholdsFailed),
  harness_send_lateness_p99_ms: (r) => fixed(r.sendLatenessP99, 1),
  harness_observation_poll_ms: (r) => String(r.observationPollMs),
  harness_ceiling_msgs_per_s: (r) => fixed(r.ceilingMsgsPerS, 1),
  harness_cpu_max: (r) => r.harnessCpuMax.toFixed(2),
  harness_loop_busy_max: (r) => r.harnessLoopBusyMax.toFixed(2),
  machine_cpu_max: (r) => r.machineCpuMax.toFixed(2),
  headroom: (r) => fixed(r.headroom, 2),
});

/** timeline.csv: the in-flight count every 250 ms, with the stage it fell in (undefined: between stages). */
export const TIMELINE = table<{ at: number; stage: number | undefined; inFlight: number }>()("timeline.csv", {
  at_s: (r) => (r.at / 1000).toFixed(2),
  stage: (r) => (r.stage === undefined ? "between" : String(r.stage)),
  in_flight: (r) => String(r.inFlight),
});

/** resources.csv: one row per minute of the run (minute 0: its first 60 s) that saw a resource sample or a delivery. */
export const RESOURCES = table<MinuteResources & { stage: number | undefined }>()("resources.csv", {
  minute: (r) => String(r.minute),
  stage: (r) => (r.stage === undefined ? "between" : String(r.stage)),
  delivered: (r) => String(r.delay.count),
  p99_ms: (r) => ms(r.delay.percentile(99)),
  ...resourceCells<MinuteResources>((r) => r.resources),
});

/** events.csv: fault starts and ends, momentary faults, chain halts. */
export const EVENTS = table<FaultEvent>()("events.csv", {
  at_ms: (e) => e.at.toFixed(1),
  event: (e) => e.event,
  kind: (e) => e.kind,
  fault: (e) => e.fault,
});

/** thresholds.csv: each threshold, its actual value, pass/fail (written when any are set). */
export const THRESHOLDS = table<ThresholdResult>()("thresholds.csv", {
  threshold: (r) => r.text,
  metric: (r) => r.metric,
  actual: (r) => fixed(r.actual, 4),
  passed: (r) => String(r.passed),
});

/** Decimals of a comparison figure: a share (0–1) to 6, ms to 3. */
const digits = (unit: Comparison["unit"]) => (unit === "share" ? 6 : 3);

/** comparison.csv: one row per (other preset, stage, metric). */
export const COMPARISON = table<Comparison>()("comparison.csv", {
  stage: (c) => String(c.stage),
  metric: (c) => c.metric,
  unit: (c) => c.unit,
  baseline: (c) => c.baseline,
  other: (c) => c.other,
  repeats: (c) => String(c.repeats),
  messages_per_run: (c) => String(c.messagesPerRun),
  baseline_mean: (c) => trimmed(c.baselineMean, digits(c.unit)),
  other_mean: (c) => trimmed(c.otherMean, digits(c.unit)),
  difference: (c) => trimmed(c.difference, digits(c.unit)),
  sd_difference: (c) => trimmed(c.sdDifference, digits(c.unit)),
  ci_low: (c) => trimmed(c.ciLow, digits(c.unit)),
  ci_high: (c) => trimmed(c.ciHigh, digits(c.unit)),
  ci_level: (c) => trimmed(c.ciLevel, 6),
  floor: (c) => String(c.floor),
  verdicts_in_family: (c) => String(c.family),
  p_one_sided: (c) => (c.pOneSided === undefined ? "" : c.pOneSided.toPrecision(4)),
  p_holm: (c) => (c.pHolm === undefined ? "" : c.pHolm.toPrecision(4)),
  baseline_dropped: (c) => String(c.baselineDropped),
  other_dropped: (c) => String(c.otherDropped),
  outcome: (c) => c.outcome,
  verdict: (c) => c.verdict,
});

/** comparison-runs.csv: every run's statistic of every stage and metric. */
export const COMPARISON_RUNS = table<RunStatistic>()("comparison-runs.csv", {
  preset: (s) => s.preset,
  relayer: (s) => s.relayer,
  repeat: (s) => String(s.repeat),
  run_folder: (s) => s.runFolder,
  stage: (s) => String(s.stage),
  metric: (s) => s.metric,
  value: (s) => trimmed(s.value, s.metric === "delivered_share" ? 6 : 3),
  n: (s) => String(s.n),
  censored: (s) => String(s.censored),
  drain_end_ms: (s) => trimmed(s.drainEndMs, 1),
});

/** Every CSV a run or a comparison writes. */
export const TABLES: ReadonlyArray<CsvTable<never>> = [
  MESSAGES,
  ANOMALIES,
  STEPS,
  HOPS_TABLE,
  GUARDIANS,
  SUMMARY,
  TIMELINE,
  RESOURCES,
  EVENTS,
  THRESHOLDS,
  COMPARISON,
  COMPARISON_RUNS,
];
