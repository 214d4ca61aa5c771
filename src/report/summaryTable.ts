import type { StageSummary } from "../measure/stats.ts";
import { DEFAULT_CRITERIA, failedCriteria, type CapacityCriteria } from "../measure/capacity.ts";

const cell = (v: number | undefined): string => (v === undefined ? "-" : v.toFixed(0));

/** The end-of-run table: one line per stage. */
export function summaryTable(stages: StageSummary[], criteria: CapacityCriteria = DEFAULT_CRITERIA): string {
  const header = ["stage", "rate/s", "offered", "sent", "delivered", "dropped", "late", "dup", "p50 ms", "p90 ms", "p99 ms", "max ms", "jitter", "in-flight/s", "verdict"];
  const rows = stages.map((s) => [
    String(s.stage),
    s.startRate === s.endRate ? String(s.offeredRate) : `${s.startRate}→${s.endRate}`,
    String(s.offered),
    String(s.sent),
    String(s.delivered),
    String(s.dropped),
    String(s.late),
    String(s.duplicates),
    cell(s.delay.percentile(50)),
    cell(s.delay.percentile(90)),
    cell(s.delay.percentile(99)),
    cell(s.delay.percentile(100)),
    cell(s.delay.jitter),
    s.inFlightSlope === undefined ? "-" : s.inFlightSlope.toFixed(1),
    failedCriteria(s, criteria).join(",") || "ok",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
  const reasons = stages
    .filter((s) => s.dropReasons.size)
    .map((s) => `stage ${s.stage} drops: ${[...s.dropReasons].map(([r, n]) => `${r} ×${n}`).join(", ")}`);
  return [line(header), ...rows.map(line), ...reasons].join("\n");
}
