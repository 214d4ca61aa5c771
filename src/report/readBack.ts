import { createReadStream, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { parse as parseStream } from "csv-parse";
import { seededRandom } from "../infra/random.ts";
import type { Scenario } from "../load/scenario.ts";
import type { RunSamples, StageSample } from "../measure/comparison.ts";
import { stageStarts } from "../measure/stages.ts";
import { MANIFEST, RunFolderError } from "./manifest.ts";
import type { CsvRow, CsvTable } from "./csvTable.ts";
import { COMPARISON, COMPARISON_RUNS, EVENTS, HOPS_TABLE, MESSAGES, STEPS, SUMMARY, THRESHOLDS, TIMELINE } from "./tables.ts";

// Run and comparison folders read back from their CSVs (tables.ts) and manifest alone: what
// report.html is built from and what compare analyses, so both can be recomputed from the files.

/** Messages drawn in the per-message delay chart at most (a seeded uniform sample beyond that). */
export const MAX_POINTS = 4000;

/** A row of any CSV read back (a comparison's run table mixes several). */
export type Row = Record<string, string>;

/** A run's folder read back: only its CSVs and manifest (what `bridge-stress report` rebuilds from). */
export interface RunData {
  dir: string;
  manifest: Record<string, any>;
  summary: CsvRow<typeof SUMMARY> | undefined;
  steps: Array<CsvRow<typeof STEPS>>;
  hops: Array<CsvRow<typeof HOPS_TABLE>>;
  timeline: Array<CsvRow<typeof TIMELINE>>;
  events: Array<CsvRow<typeof EVENTS>>;
  thresholds: Array<CsvRow<typeof THRESHOLDS>>;
  messages: Array<CsvRow<typeof MESSAGES>>;
  messageCount: number;
}

/** A cell as a number; undefined when empty or absent. */
export const num = (v: string | undefined): number | undefined => (v === undefined || v === "" ? undefined : Number(v));

/** A `name=value;…` cell (steps.csv's drop_reasons, resources.csv's per-process columns) as its pairs; a value follows a name's last `=`. */
export function namedValues(cell: string | undefined): Array<[string, string]> {
  return (cell ?? "")
    .split(";")
    .filter(Boolean)
    .map((entry) => {
      const at = entry.lastIndexOf("=");
      return [entry.slice(0, at), entry.slice(at + 1)];
    });
}

/** A table's rows, by column name; none when the folder has no such file. */
export function readCsv<Table extends CsvTable<never>>(dir: string, table: Table): Array<CsvRow<Table>> {
  const path = join(dir, table.file);
  return existsSync(path) ? (parse(readFileSync(path), { columns: true }) as Array<CsvRow<Table>>) : [];
}

/** messages.csv can hold millions of rows: streamed, with a seeded reservoir sample kept. */
async function sampleMessages(dir: string): Promise<{ rows: RunData["messages"]; count: number }> {
  const path = join(dir, MESSAGES.file);
  if (!existsSync(path)) return { rows: [], count: 0 };
  const random = seededRandom(1);
  const rows: RunData["messages"] = [];
  let count = 0;
  for await (const row of createReadStream(path).pipe(parseStream({ columns: true })) as AsyncIterable<CsvRow<typeof MESSAGES>>) {
    count++;
    if (rows.length < MAX_POINTS) rows.push(row);
    else {
      const j = Math.floor(random() * count);
      if (j < MAX_POINTS) rows[j] = row;
    }
  }
  return { rows, count };
}

export async function readRun(dir: string): Promise<RunData> {
  if (!existsSync(join(dir, MANIFEST)))
    throw new RunFolderError(`${dir}: no ${MANIFEST} here; give the folder of one run (reports/<run-id>) or of a comparison`);
  const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), "utf8")) as Record<string, any>;
  const { rows, count } = await sampleMessages(dir);
  return {
    dir,
    manifest,
    summary: readCsv(dir, SUMMARY)[0],
    steps: readCsv(dir, STEPS),
    hops: readCsv(dir, HOPS_TABLE),
    timeline: readCsv(dir, TIMELINE),
    events: readCsv(dir, EVENTS),
    thresholds: readCsv(dir, THRESHOLDS),
    messages: rows,
    messageCount: count,
  };
}

/** A comparison folder holds comparison.csv and no manifest of its own. */
export function isComparisonDir(dir: string): boolean {
  return existsSync(join(dir, COMPARISON.file)) && !existsSync(join(dir, MANIFEST));
}

/** A comparison's per-run statistics and verdict lines. */
export function readComparison(dir: string): { perRun: Array<CsvRow<typeof COMPARISON_RUNS>>; comparison: Array<CsvRow<typeof COMPARISON>> } {
  const perRun = readCsv(dir, COMPARISON_RUNS);
  if (!perRun.length) throw new RunFolderError(`${dir}: no ${COMPARISON_RUNS.file} (a comparison of an older bridge-stress); run the comparison again`);
  return { perRun, comparison: readCsv(dir, COMPARISON) };
}

/** A run folder's per-stage samples for a comparison, from its manifest.json (stages, drain) and messages.csv alone. */
export function readRunSamples(runDir: string): RunSamples & { config: Scenario } {
  const manifest = JSON.parse(readFileSync(join(runDir, MANIFEST), "utf8")) as { scenario?: { config?: Scenario } };
  const config = manifest.scenario?.config;
  if (!config?.stages || typeof config.drainS !== "number") {
    throw new RunFolderError(`${join(runDir, MANIFEST)}: no scenario config with stages and drainS; not a run folder of this bridge-stress`);
  }
  const starts = stageStarts(config);
  const stagesEnd = Math.max(0, ...config.stages.map((s, i) => starts[i]! + s.durationS * 1000));
  if (!existsSync(join(runDir, MESSAGES.file))) throw new RunFolderError(`${join(runDir, MESSAGES.file)}: no such file; a run folder holds its messages`);
  const rows = readCsv(runDir, MESSAGES);
  let drainEndMs = stagesEnd + config.drainS * 1000;
  // A delivery seen in the drain's last poll may land after it: censoring there keeps every drop ranked at or above every delivery.
  for (const row of rows) if (row.status === "delivered") drainEndMs = Math.max(drainEndMs, Number(row.delivered_at_ms));
  const stages: StageSample[] = config.stages.map(() => ({ offered: 0, delivered: 0, delays: [] }));
  for (const row of rows) {
    const s = (stages[Number(row.stage)] ??= { offered: 0, delivered: 0, delays: [] });
    s.offered++;
    if (row.status === "delivered") {
      s.delivered++;
      s.delays.push(Number(row.delay_ms));
    } else {
      const censored = drainEndMs - Number(row.intended_at_ms);
      s.delays.push(censored);
      s.censoredFromMs = Math.min(s.censoredFromMs ?? Infinity, censored);
    }
  }
  for (const s of stages) s.delays.sort((a, b) => a - b);
  return { drainEndMs, stages, config };
}
