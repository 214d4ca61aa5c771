import type { StageSummary } from "../measure/stats.ts";
import { judgeStage, type StageJudgement } from "../measure/capacity.ts";
import { STEPS, type StepRecord, stepRecords } from "./tables.ts";

/** A figure as a whole number; "-" when there is none. */
const whole = (v: number | undefined): string => (v === undefined ? "-" : v.toFixed(0));
const cell = (column: (typeof STEPS.columns)[number]) => (r: StepRecord) => STEPS.cell(r, column);
const { cells } = STEPS;

/** The table's columns: a display title and the text of a stage's figure, each figure read from steps.csv's declaration (tables.ts). */
const COLUMNS: ReadonlyArray<[title: string, text: (r: StepRecord) => string]> = [
  ["stage", cell("stage")],
  ["rate/s", (r) => (cell("rate_from")(r) === cell("rate_to")(r) ? cell("offered_rate")(r) : `${cell("rate_from")(r)}→${cell("rate_to")(r)}`)],
  ["offered", cell("offered")],
  ["sent", cell("sent")],
  ["delivered", cell("delivered")],
  ["dropped", cell("dropped")],
  ["late", cell("late")],
  ["dup", cell("duplicates")],
  ["p50 ms", (r) => whole(cells.p50_ms.value(r))],
  ["p90 ms", (r) => whole(cells.p90_ms.value(r))],
  ["p99 ms", (r) => whole(cells.p99_ms.value(r))],
  ["max ms", (r) => whole(cells.max_ms.value(r))],
  ["jitter", (r) => whole(cells.jitter_ms.value(r))],
  ["delay slope", (r) => cells.delay_slope.value(r)?.toFixed(3) ?? "-"],
  ["verdict", verdict],
];

/** The end-of-run table: one line per stage; the verdict is the stage's judgement (judged now, with default criteria, when missing). */
export function summaryTable(stages: StageSummary[], judgements: StageJudgement[] = []): string {
  const judged: StageJudgement[] = [];
  for (const s of stages) judged[s.stage] = judgements[s.stage] ?? judgeStage(s);
  const records = stepRecords(stages, judged);
  const header = COLUMNS.map(([title]) => title);
  const rows = records.map((r) => COLUMNS.map(([, text]) => text(r)));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (texts: string[]) => texts.map((c, i) => c.padStart(widths[i]!)).join("  ");
  const reasons = records.flatMap((r) => {
    const drops = cells.drop_reasons.value(r);
    return drops.length ? [`stage ${cell("stage")(r)} drops: ${drops.map(([reason, n]) => `${reason} ×${n}`).join(", ")}`] : [];
  });
  return [line(header), ...rows.map(line), ...reasons].join("\n");
}

/** "ok", or the failed criteria; a stage left out of the capacity says so first. */
function verdict(r: StepRecord): string {
  const failed = cells.failed_criteria.value(r).join(",") || "ok";
  const judgedAs = cell("judged_as")(r);
  return judgedAs === "capacity" ? failed : `${judgedAs}: ${failed}`;
}
