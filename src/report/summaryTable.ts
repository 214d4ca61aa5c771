import type { StageSummary } from "../measure/stats.ts";

const cell = (v: number | undefined): string => (v === undefined ? "-" : v.toFixed(0));

/** The end-of-run table: one line per stage. */
export function summaryTable(stages: StageSummary[]): string {
  const header = ["stage", "rate/s", "offered", "sent", "delivered", "dropped", "late", "dup", "p50 ms", "p90 ms", "p99 ms", "max ms"];
  const rows = stages.map((s) => [
    String(s.stage),
    String(s.offeredRate),
    String(s.offered),
    String(s.sent),
    String(s.delivered),
    String(s.dropped),
    String(s.late),
    String(s.duplicates),
    cell(s.p50),
    cell(s.p90),
    cell(s.p99),
    cell(s.max),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
  const reasons = stages
    .filter((s) => s.dropReasons.size)
    .map((s) => `stage ${s.stage} drops: ${[...s.dropReasons].map(([r, n]) => `${r} ×${n}`).join(", ")}`);
  return [line(header), ...rows.map(line), ...reasons].join("\n");
}
