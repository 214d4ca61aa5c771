import type { Anomaly, MessageRecord } from "./record.ts";
import type { ThresholdMetric } from "./thresholds.ts";
import { stageStarts } from "./stages.ts";
import { MACHINE_CORES } from "./machineCpu.ts";
import { fitSlope, Trend } from "./trend.ts";
import { DelayHistogram } from "./histogram.ts";
import { HOPS, type Hop, recordHops } from "./hops.ts";
import { emptyResources, type SpanResources } from "./resources.ts";

export interface StageSpec {
  rate: number;
  startRate: number;
  durationS: number;
  /** Start, ms from the run's start; by default each stage follows the previous one. */
  startAtMs?: number;
}

export interface StageSummary {
  stage: number;
  startRate: number;
  endRate: number;
  /** Mean offered rate over the stage, messages/s. */
  offeredRate: number;
  durationS: number;
  offered: number;
  sent: number;
  /** Messages that could not be sent at all (send cap full, node refused). */
  notSent: number;
  delivered: number;
  dropped: number;
  duplicates: number;
  duplicateAttempts: number;
  /** Deliveries of messages whose source transaction a reorg rolled back. */
  phantoms: number;
  late: number;
  outOfOrder: number;
  /** Deliveries (of any stage's messages) observed during this stage's window, per second. */
  deliveredRate: number;
  delay: DelayHistogram;
  delayFromSend: DelayHistogram;
  hops: Record<Hop, DelayHistogram>;
  sendLateness: DelayHistogram;
  /** First to last guardian observing the same message, for messages first seen in this stage's window. */
  observationSkew: DelayHistogram;
  /** Largest height skew (blocks) sampled during the stage: validators' heights (Cosmos localnets), guardians' heartbeat heads (Wormhole). */
  heightSkewMax: number | undefined;
  /** Least-squares slope of the in-flight count during the stage, messages/s (Little's law: > 0 means a backlog builds). */
  inFlightSlope: number | undefined;
  /** Lower end of the slope's ~95 % interval (slope − 2 standard errors); information only since the delay trend judges the backlog. */
  inFlightSlopeLow?: number;
  /**
   * Delay against intended send time over the stage's delivered messages (x: intended_at_ms −
   * the stage's start, y: delay_ms): its slope is the backlog-growing criterion's figure.
   */
  delayTrend: Trend;
  /**
   * Share of one core the harness process (load generator, guardians, in-process relayer,
   * watchers) used during the stage. Near 1 the harness itself may be what limits the stage.
   */
  harnessCpu: number | undefined;
  /**
   * Share of the stage the harness's event loop was busy (Node's event-loop utilization):
   * near 1 the main thread — where sends are dispatched and every hop is observed — is
   * saturated, and the stage's delays include the harness's own queueing.
   */
  harnessLoopBusy: number | undefined;
  /**
   * Share of all the machine's cores busy during the stage (every process: chains, relayer,
   * harness; Linux only). Near 1 the machine was saturated: the stage shows this machine's
   * limit, whichever part of the stack used the CPU.
   */
  machineCpu?: number;
  dropReasons: Map<string, number>;
  /** Memory of the harness and of the path's processes, and the chains' block lateness, sampled during the stage's window. */
  resources?: SpanResources;
  /**
   * The stage's liquidation triggers alone (kind `liquidation`): what the missed-deadline
   * criterion and the liquidation-risk columns are computed from. A dropped trigger is a
   * missed liquidation.
   */
  liquidation: { offered: number; delivered: number; dropped: number; late: number; delay: DelayHistogram };
}

/** At or above this share of the stage busy, the harness's event loop may be what limits a stage. */
export const BUSY_HARNESS_LOOP = 0.9;

export interface InFlightSample {
  /** ms from the run's start. */
  at: number;
  inFlight: number;
  /** CPU time (user + system) the harness process had used by then, ms. */
  cpuMs?: number;
  /** Time the harness's event loop had been busy by then, ms. */
  loopActiveMs?: number;
  /** Busy time of the whole machine by then, core-ms (machineBusyMs). */
  machineBusyMs?: number;
}

/**
 * Per-stage statistics, fed one message at a time: `offer` when it is planned, `add` when
 * its status is final, `addAnomaly` for duplicates. Nothing per message is kept, so a
 * streaming ledger can forget a message once it is counted. `specs` may grow while the
 * run goes on (capacity-search probes).
 */
export class StageStats {
  readonly stages: StageSummary[] = [];
  /** The whole run, for thresholds. */
  readonly total = {
    offered: 0,
    delivered: 0,
    dropped: 0,
    late: 0,
    duplicates: 0,
    phantoms: 0,
    delay: new DelayHistogram(),
    sendLateness: new DelayHistogram(),
  };
  private starts: number[] = [];

  constructor(private readonly specs: StageSpec[]) {
    this.sync();
  }

  /** Creates summaries for stages added to `specs` since. */
  private sync(): void {
    if (this.stages.length === this.specs.length) return;
    this.starts = stageStarts({ stages: this.specs });
    for (let stage = this.stages.length; stage < this.specs.length; stage++) {
      const s = this.specs[stage]!;
      this.stages.push({
        stage,
        startRate: s.startRate,
        endRate: s.rate,
        offeredRate: (s.startRate + s.rate) / 2,
        durationS: s.durationS,
        offered: 0,
        sent: 0,
        notSent: 0,
        delivered: 0,
        dropped: 0,
        duplicates: 0,
        duplicateAttempts: 0,
        phantoms: 0,
        late: 0,
        outOfOrder: 0,
        deliveredRate: 0,
        delay: new DelayHistogram(),
        delayFromSend: new DelayHistogram(),
        hops: Object.fromEntries(Object.keys(HOPS).map((h) => [h, new DelayHistogram()])) as Record<Hop, DelayHistogram>,
        sendLateness: new DelayHistogram(),
        observationSkew: new DelayHistogram(),
        heightSkewMax: undefined,
        inFlightSlope: undefined,
        delayTrend: new Trend(),
        harnessCpu: undefined,
        harnessLoopBusy: undefined,
        dropReasons: new Map(),
        resources: emptyResources(),
        liquidation: { offered: 0, delivered: 0, dropped: 0, late: 0, delay: new DelayHistogram() },
      });
    }
  }

  private stage(index: number): StageSummary | undefined {
    this.sync();
    return this.stages[index];
  }

  /** Counts a message the schedule offered. */
  offer(stage: number, kind?: string): void {
    const s = this.stage(stage);
    if (!s) return;
    s.offered++;
    if (kind === "liquidation") s.liquidation.offered++;
    this.total.offered++;
  }

  addAnomaly(a: Anomaly): void {
    const s = a.stage === undefined ? undefined : this.stage(a.stage);
    if (!s) return;
    if (a.kind === "duplicate-delivery") {
      s.duplicates++;
      this.total.duplicates++;
    } else if (a.kind === "duplicate-attempt") {
      s.duplicateAttempts++;
    } else if (a.kind === "phantom-delivery") {
      s.phantoms++;
      this.total.phantoms++;
    }
  }

  /** Records a message's guardian observation skew in the stage whose window saw its first observation. */
  addObservationSkew(firstAt: number, skewMs: number): void {
    const stage = this.stageAt(firstAt);
    if (stage !== undefined) this.stages[stage]!.observationSkew.record(skewMs);
  }

  /** Records a sample of the height skew (blocks: validators' heights, or guardians' heartbeat heads) taken at `at` (ms from start). */
  addHeightSkew(at: number, blocks: number): void {
    const stage = this.stageAt(at);
    if (stage === undefined) return;
    const s = this.stages[stage]!;
    s.heightSkewMax = Math.max(s.heightSkewMax ?? 0, blocks);
  }

  /** Index of the stage whose window holds time `at` (ms from start), if any. */
  stageAt(at: number): number | undefined {
    for (let i = this.starts.length - 1; i >= 0; i--) {
      if (at >= this.starts[i]!) return at < this.starts[i]! + this.stages[i]!.durationS * 1000 ? i : undefined;
    }
    return undefined;
  }

  /** Counts one message whose status is final. */
  add(r: MessageRecord): void {
    const s = this.stage(r.stage);
    if (!s) return;
    this.addToTotal(r);
    if (r.sentAt !== undefined && !r.sendError) {
      s.sent++;
      s.sendLateness.record(r.sentAt - r.intendedAt);
    } else if (r.sentAt === undefined && r.status === "dropped") {
      s.notSent++;
    }
    if (r.outOfOrder) s.outOfOrder++;
    if (r.status === "delivered") {
      s.delivered++;
      s.delay.record(r.deliveredAt! - r.intendedAt);
      s.delayTrend.add(r.intendedAt - this.starts[r.stage]!, r.deliveredAt! - r.intendedAt);
      if (r.sentAt !== undefined) s.delayFromSend.record(r.deliveredAt! - r.sentAt);
      recordHops(r, s.hops);
      if (r.late) s.late++;
      if (r.kind === "liquidation") {
        s.liquidation.delivered++;
        s.liquidation.delay.record(r.deliveredAt! - r.intendedAt);
        if (r.late) s.liquidation.late++;
      }
      const window = this.stageAt(r.deliveredAt!);
      if (window !== undefined) this.stages[window]!.deliveredRate += 1 / this.stages[window]!.durationS;
    } else if (r.status === "dropped") {
      s.dropped++;
      if (r.kind === "liquidation") s.liquidation.dropped++;
      const reason = r.dropReason?.code ?? "unknown";
      s.dropReasons.set(reason, (s.dropReasons.get(reason) ?? 0) + 1);
    }
  }

  private addToTotal(r: MessageRecord): void {
    const t = this.total;
    if (r.sentAt !== undefined && !r.sendError) t.sendLateness.record(r.sentAt - r.intendedAt);
    if (r.status === "delivered") {
      t.delivered++;
      t.delay.record(r.deliveredAt! - r.intendedAt);
      if (r.late) t.late++;
    } else if (r.status === "dropped") {
      t.dropped++;
    }
  }

  /** Run-wide figures by threshold metric name. */
  thresholdMetrics(): Partial<Record<ThresholdMetric, number>> {
    const t = this.total;
    return {
      p50: t.delay.percentile(50),
      p90: t.delay.percentile(90),
      p99: t.delay.percentile(99),
      "p99.9": t.delay.percentile(99.9),
      max: t.delay.percentile(100),
      avg: t.delay.mean,
      jitter: t.delay.jitter,
      drop_rate: t.offered ? t.dropped / t.offered : undefined,
      late_rate: t.delivered ? t.late / t.delivered : undefined,
      delivered_rate: t.offered ? t.delivered / t.offered : undefined,
      duplicates: t.duplicates,
      phantom_deliveries: t.phantoms,
      send_lateness_p99: t.sendLateness.percentile(99),
    };
  }

  /**
   * Fits the in-flight slope of each stage from samples taken during the run, over the
   * stage's second half: the first half holds the step up to the new steady level
   * (Δrate × delay messages), which is a transient, not a backlog.
   */
  setInFlight(samples: InFlightSample[]): void {
    for (const s of this.stages) {
      const start = this.starts[s.stage]!;
      const end = start + s.durationS * 1000;
      const inStage = samples.filter((p) => p.at >= (start + end) / 2 && p.at <= end);
      const fit = fitSlope(inStage.map((p) => [p.at / 1000, p.inFlight]));
      s.inFlightSlope = fit?.slope;
      // The lower end of its ~95 % interval: the growth the stage shows beyond its noise.
      s.inFlightSlopeLow = fit ? fit.slope - 2 * fit.stdErr : undefined;
      const withCpu = samples.filter((p) => p.at >= start && p.at <= end && p.cpuMs !== undefined);
      const [first, last] = [withCpu[0], withCpu.at(-1)];
      s.harnessCpu = first && last && last.at > first.at ? (last.cpuMs! - first.cpuMs!) / (last.at - first.at) : undefined;
      s.harnessLoopBusy =
        first && last && last.at > first.at && first.loopActiveMs !== undefined ? (last.loopActiveMs! - first.loopActiveMs!) / (last.at - first.at) : undefined;
      s.machineCpu =
        first && last && last.at > first.at && first.machineBusyMs !== undefined && last.machineBusyMs !== undefined
          ? Math.min(1, (last.machineBusyMs - first.machineBusyMs) / (last.at - first.at) / MACHINE_CORES)
          : undefined;
    }
  }
}
