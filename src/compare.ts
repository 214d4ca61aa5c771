import { resolve } from "node:path";
import { bridgeOf } from "./bridges/index.ts";
import type { Scenario } from "./load/scenario.ts";
import { ALPHA } from "./measure/paired.ts";
import { compareSamples, type ComparedRun, type Comparison, type RunStatistic } from "./measure/comparison.ts";
import { writeCsv } from "./report/csv.ts";
import { tryWriteHtmlReport } from "./report/html.ts";
import { readRunSamples } from "./report/readBack.ts";
import { COMPARISON, COMPARISON_RUNS } from "./report/tables.ts";
import { createRunDir, runScenario, type RunOptions, type RunResult } from "./run.ts";

// The statistics are src/measure/comparison.ts's and src/measure/paired.ts's, the run folders' read-back
// src/report/readBack.ts's; they are re-exported here, where the CLI and the tests have always found them.
export { ALPHA, detectableDifference, holm, pairedInterval, type PairedInterval } from "./measure/paired.ts";
export {
  METRICS,
  minMessages,
  runStatistic,
  SHARE_FLOOR,
  type ComparedRun,
  type Comparison,
  type Metric,
  type Outcome,
  type RunSamples,
  type RunStatistic,
  type StageSample,
} from "./measure/comparison.ts";
import { BridgeStressError } from "./infra/errors.ts";
export { readRunSamples } from "./report/readBack.ts";

/** The longest block time of a scenario's chains (its bridge says which): the floor of a delay comparison. */
export function blockTimeMs(scenario: Scenario): number {
  return bridgeOf(scenario).blockTimeMs(scenario);
}

// --repeat's rules live with the CLI's flags (src/cliFlags.ts, which must load without the engine); re-exported here.
export { DEFAULT_REPEAT, MIN_REPEAT, repeatProblem } from "./cliFlags.ts";
import { DEFAULT_REPEAT, repeatProblem } from "./cliFlags.ts";

export interface CompareOptions extends Omit<RunOptions, "outDir" | "runId"> {
  outDir?: string;
  /** Interleaved pairs of runs. [5] */
  repeat?: number;
}

export interface CompareResult {
  dir: string;
  runs: Array<ComparedRun & { result: RunResult }>;
  comparisons: Comparison[];
  statistics: RunStatistic[];
  /** The comparison's report.html (relayers overlaid), or why it could not be built. */
  html: { path: string } | { error: string };
}

/** Labels of the presets: their names, numbered ("default #2") when one is given more than once. */
export function presetLabels(relayers: string[]): string[] {
  const count = (names: string[], name: string) => names.filter((x) => x === name).length;
  return relayers.map((name, i) => (count(relayers, name) > 1 ? `${name} #${count(relayers.slice(0, i + 1), name)}` : name));
}

/** A comparison that cannot run as asked: fewer than two presets, a capacity search, too few repeats. */
export class CompareError extends BridgeStressError {
  static override readonly code = "compare-invalid";
  static override readonly docs = "README.md#comparing-relayers";
}

/**
 * Runs the same seeded scenario `repeat` times per relayer preset (reference-relayer presets;
 * rly presets on the ibc bridge), interleaved: for i = 1..N, one run of each preset in the
 * order given. Then compares each preset with the first (analyzeComparison) and writes
 * comparison.csv, comparison-runs.csv and the comparison's report.html.
 */
export async function compareRelayers(scenario: Scenario, relayers: string[], options: CompareOptions = {}): Promise<CompareResult> {
  if (relayers.length < 2) throw new CompareError(`compare needs at least two relayer presets (--relayer a --relayer b); got ${relayers.length}`);
  if (scenario.search) {
    const why = 'whose probes differ from run to run; give it "stages" instead of "search"';
    throw new CompareError(`compare needs fixed stages: "${scenario.name}" is a capacity search, ${why}`);
  }
  const repeat = options.repeat ?? DEFAULT_REPEAT;
  const problem = repeatProblem(repeat);
  if (problem) throw new CompareError(`repeat ${repeat}: ${problem}`);
  const id = `${new Date().toISOString().replace(/[:.]/g, "-")}-compare-${scenario.name}-seed${scenario.seed}`;
  // A folder of its own, as a run's: a second comparison started the same millisecond gets "-2".
  const dir = createRunDir(resolve(options.outDir ?? "reports"), id);
  const labels = presetLabels(relayers);
  const width = String(repeat).length;
  const runs: CompareResult["runs"] = [];
  for (let i = 1; i <= repeat; i++) {
    for (const [k, relayer] of relayers.entries()) {
      options.onProgress?.(`compare: repeat ${i} of ${repeat}, relayer preset "${relayer}" (run ${runs.length + 1} of ${repeat * relayers.length})`);
      const variant = bridgeOf(scenario).withRelayer(scenario, relayer);
      // Folder names sort in run order: repeat, then the preset's position (A, B, …).
      const runId = `repeat${String(i).padStart(width, "0")}-${String.fromCharCode(65 + k)}-${relayer.replace(/[^A-Za-z0-9._-]/g, "_")}`;
      const result = await runScenario(variant, { ...options, outDir: dir, runId });
      runs.push({ preset: labels[k]!, relayer, repeat: i, dir: result.runDir, result });
    }
  }
  const { comparisons, statistics } = analyzeComparison(runs);
  await writeComparisonCsvs(dir, comparisons, statistics);
  return { dir, runs, comparisons, statistics, html: await tryWriteHtmlReport(dir) };
}

/**
 * Compares every preset's runs with the first preset's (the baseline), pair by pair, stage by stage,
 * for each metric (compareSamples), from the run folders alone (manifest.json and messages.csv), so it can be recomputed.
 */
export function analyzeComparison(runs: ComparedRun[], alpha = ALPHA): { comparisons: Comparison[]; statistics: RunStatistic[] } {
  if (!runs.length) throw new Error("a comparison needs runs");
  const samples = new Map(runs.map((r) => [r, readRunSamples(r.dir)]));
  return compareSamples(runs, samples, blockTimeMs(samples.get(runs[0]!)!.config), alpha);
}

/** comparison.csv and comparison-runs.csv (src/report/tables.ts). */
export async function writeComparisonCsvs(dir: string, comparisons: Comparison[], statistics: RunStatistic[]): Promise<void> {
  await writeCsv(dir, COMPARISON, comparisons);
  await writeCsv(dir, COMPARISON_RUNS, statistics);
}
