import type { StageSummary } from "../measure/stats.ts";
import { judgeStage, type StageJudgement } from "../measure/capacity.ts";

const cell = (v: number | undefined): string => (v === undefined ? "-" : v.toFixed(0));

/** The end-of-run table: one line per stage; the verdict is the stage's judgement (judged now, with default criteria, when missing). */
export function summaryTable(stages: StageSummary[], judgements: StageJudgement[] = []): string {
  const header = [
    "stage",
    "rate/s",
    "offered",
    "sent",
    "delivered",
    "dropped",
    "late",
    "dup",
    "p50 ms",
    "p90 ms",
    "p99 ms",
    "max ms",
    "jitter",
    "delay slope",
    "verdict",
  ];
  const rows = stages
    .map((s) => [s, judgements[s.stage] ?? judgeStage(s)] as const)
    .map(([s, j]) => [
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
      j.figures.delaySlope === undefined ? "-" : j.figures.delaySlope.toFixed(3),
      verdict(j),
    ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
  const reasons = stages.filter((s) => s.dropReasons.size).map((s) => `stage ${s.stage} drops: ${[...s.dropReasons].map(([r, n]) => `${r} ×${n}`).join(", ")}`);
  return [line(header), ...rows.map(line), ...reasons].join("\n");
}

/** "ok", or the failed criteria; a stage left out of the capacity says so first. */
function verdict(j: StageJudgement): string {
  const failed = j.failed.join(",") || "ok";
  return j.judgedAs === "capacity" ? failed : `${j.judgedAs}: ${failed}`;
}
