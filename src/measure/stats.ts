import type { MessageRecord } from "./ledger.ts";

/** Nearest-rank percentile of an ascending array: the smallest value with ≥ p % of values at or below it. */
export function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export interface StageSpec {
  rate: number;
  durationS: number;
}

export interface StageSummary {
  stage: number;
  offeredRate: number;
  durationS: number;
  /** Messages the schedule offered in this stage. */
  offered: number;
  sent: number;
  delivered: number;
  dropped: number;
  duplicates: number;
  duplicateAttempts: number;
  late: number;
  p50: number | undefined;
  p90: number | undefined;
  p99: number | undefined;
  max: number | undefined;
  /** p99 of how late sends left relative to their intended time. */
  sendLatenessP99: number | undefined;
  /** Drop reasons and their counts. */
  dropReasons: Map<string, number>;
}

/** Per-stage counts and end-to-end delay percentiles (delay = delivered − intended). */
export function summarizeStages(records: Iterable<MessageRecord>, stages: StageSpec[]): StageSummary[] {
  const acc = stages.map((s, stage) => ({
    stage,
    spec: s,
    delays: [] as number[],
    lateness: [] as number[],
    offered: 0,
    sent: 0,
    delivered: 0,
    dropped: 0,
    duplicates: 0,
    duplicateAttempts: 0,
    late: 0,
    dropReasons: new Map<string, number>(),
  }));
  for (const r of records) {
    const a = acc[r.stage];
    if (!a) continue;
    a.offered++;
    if (r.sentAt !== undefined && !r.sendError) {
      a.sent++;
      a.lateness.push(r.sentAt - r.intendedAt);
    }
    a.duplicates += r.duplicateDeliveries;
    a.duplicateAttempts += r.duplicateAttempts;
    if (r.status === "delivered") {
      a.delivered++;
      a.delays.push(r.deliveredAt! - r.intendedAt);
      if (r.late) a.late++;
    } else if (r.status === "dropped") {
      a.dropped++;
      const reason = (r.dropReason ?? "unknown").split(":")[0]!;
      a.dropReasons.set(reason, (a.dropReasons.get(reason) ?? 0) + 1);
    }
  }
  return acc.map((a) => {
    a.delays.sort((x, y) => x - y);
    a.lateness.sort((x, y) => x - y);
    return {
      stage: a.stage,
      offeredRate: a.spec.rate,
      durationS: a.spec.durationS,
      offered: a.offered,
      sent: a.sent,
      delivered: a.delivered,
      dropped: a.dropped,
      duplicates: a.duplicates,
      duplicateAttempts: a.duplicateAttempts,
      late: a.late,
      p50: percentile(a.delays, 50),
      p90: percentile(a.delays, 90),
      p99: percentile(a.delays, 99),
      max: a.delays.at(-1),
      sendLatenessP99: percentile(a.lateness, 99),
      dropReasons: a.dropReasons,
    };
  });
}
