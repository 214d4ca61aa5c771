import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { CommandLine, ScenarioLine } from "./cliArgs.ts";
import { compareRelayers } from "./compare.ts";
import { MACHINE_CORES } from "./measure/machineCpu.ts";
import { capacityLine } from "./measure/capacity.ts";
import { THRESHOLD_EXIT_CODE } from "./measure/thresholds.ts";
import { bundleRun } from "./report/bundle.ts";
import { writeHtmlReport } from "./report/html.ts";
import { MANIFEST } from "./report/manifest.ts";
import { headroom } from "./report/runReport.ts";
import { summaryTable } from "./report/summaryTable.ts";
import {
  ANOMALIES,
  COMPARISON,
  COMPARISON_RUNS,
  EVENTS,
  GUARDIANS,
  HOPS_TABLE,
  MESSAGES,
  RESOURCES,
  STEPS,
  SUMMARY,
  THRESHOLDS,
  TIMELINE,
} from "./report/tables.ts";
import { harnessWarnings } from "./report/warnings.ts";
import { runScenario, type RunResult } from "./run.ts";

// What src/cli.ts runs once its flags are checked: imported only then, since it loads the engine
// (every bridge, the Wormhole SDK, viem, the charts), a few seconds of start-up.

type Say = (line: string) => void;

/** bundle or report: one run (or comparison) folder. */
export async function folderCommand(line: Extract<CommandLine, { folder: string }>, say: Say): Promise<number> {
  if (line.command === "bundle") {
    const { archive, files } = bundleRun(line.folder);
    say(`bundle: ${relative(process.cwd(), archive)} (${files.join(", ")})`);
  } else say(`report: ${relative(process.cwd(), await writeHtmlReport(line.folder))}`);
  return 0;
}

/** run or compare, printing progress and results with `say`; returns the exit code. */
export async function runCommand(line: ScenarioLine, say: Say): Promise<number> {
  const { command, scenario, values, repeat, metricsPort } = line;
  if (command === "compare") {
    const compared = await compareRelayers(scenario, values.relayer!, { outDir: values.out, repeat, onProgress: (line) => say(line) });
    say("");
    for (const { preset, repeat: i, result } of compared.runs) {
      const total = result.stats.total;
      const counts = `offered ${total.offered}, delivered ${total.delivered}, dropped ${total.dropped}`;
      say(`repeat ${i} ${preset}: ${counts} (${relative(process.cwd(), result.runDir)}/)`);
    }
    for (const other of [...new Set(compared.comparisons.map((c) => c.other))]) {
      const lines = compared.comparisons.filter((c) => c.other === other);
      const { baseline, repeats, family } = lines[0]!;
      say(`\n${other} against ${baseline}: ${repeats} interleaved pairs of runs, ${family} verdicts (family-wise α = 0.05)`);
      for (const c of lines) say(`stage ${c.stage} ${c.metric}: ${c.verdict}`);
    }
    say(`\nreports: ${relative(process.cwd(), compared.dir) || "."}/ (${COMPARISON.file}, ${COMPARISON_RUNS.file}, report.html and one folder per run)`);
    if ("error" in compared.html) console.error(`bridge-stress: report.html not built: ${compared.html.error}`);
    return 0;
  }
  const result = await runScenario(scenario, { outDir: values.out, metricsPort, onProgress: (line) => say(line) });
  say(`\n${summaryTable(result.stats.stages, result.judgements)}\n`);
  say(verdictLines(result));
  const failed = result.thresholds.filter((r) => !r.passed);
  for (const r of result.thresholds) {
    say(`threshold ${r.passed ? "ok  " : "FAIL"} ${r.text} (actual ${r.actual === undefined ? "no data" : +r.actual.toFixed(4)})`);
  }
  const guardians = existsSync(join(result.runDir, GUARDIANS.file)) ? [GUARDIANS] : [];
  const tables = [
    MESSAGES,
    STEPS,
    HOPS_TABLE,
    SUMMARY,
    TIMELINE,
    RESOURCES,
    ANOMALIES,
    EVENTS,
    ...guardians,
    ...(result.thresholds.length ? [THRESHOLDS] : []),
  ];
  say(`reports: ${relative(process.cwd(), result.runDir) || "."}/ (${[...tables.map((table) => table.file), MANIFEST].join(", ")})`);
  for (const line of integrationCheck(result.runDir)) console.error(`bridge-stress: ${line}`);
  if ("path" in result.html) say(`report: ${relative(process.cwd(), result.html.path)}`);
  else if (!result.outputErrors.length) console.error(`bridge-stress: report.html not built (the CSVs are complete): ${result.html.error}`);
  if (result.stoppedBy) {
    console.error(`bridge-stress: the run was stopped early, its report is partial: ${result.stoppedBy}`);
    return 1;
  }
  if (result.outputErrors.length) {
    for (const error of result.outputErrors) console.error(`bridge-stress: report file not written in full: ${error}`);
    return 1;
  }
  if (failed.length) {
    console.error(`bridge-stress: ${failed.length} threshold(s) failed: ${failed.map((r) => r.text).join(", ")}`);
    return THRESHOLD_EXIT_CODE;
  }
  return 0;
}

function verdictLines(result: RunResult): string {
  const v = result.verdict;
  const capacity = capacityLine(v);
  const knee = v.knee === undefined ? "" : `; p99 knee at ${v.knee} msgs/s`;
  const { limits } = result;
  const lateness = result.stats.total.sendLateness.percentile(99);
  const lines = [
    `${capacity}${knee}`,
    `harness: send lateness p99 ${lateness?.toFixed(1) ?? "-"} ms; hop times observed by polling every ${limits.observationPollMs} ms`,
  ];
  const room = headroom(limits, v, result.stats);
  if (limits.ceilingMsgsPerS !== undefined) {
    lines.push(
      `harness ceiling ≈ ${limits.ceilingMsgsPerS.toFixed(0)} msgs/s (${limits.ceilingWhat})${room === undefined ? "" : `: ${room.toFixed(1)}× the measured capacity`}`,
    );
  }
  const stages = result.stats.stages.map((s) => ({
    stage: s.stage,
    offeredRate: s.offeredRate,
    harnessLoopBusy: s.harnessLoopBusy,
    machineCpu: s.machineCpu,
    sendLatenessP99: s.sendLateness.percentile(99),
  }));
  for (const warning of harnessWarnings(stages, room, limits.ceilingMsgsPerS, MACHINE_CORES)) lines.push(`WARNING: ${warning}`);
  return lines.join("\n");
}

/** What the integration's own check after the run (manifest.json's integration.verify) found, a line each. */
function integrationCheck(runDir: string): string[] {
  let manifest: { integration?: { name?: string; verify?: { problems?: string[]; error?: string } } };
  try {
    manifest = JSON.parse(readFileSync(join(runDir, MANIFEST), "utf8"));
  } catch {
    return [];
  }
  const { name, verify } = manifest.integration ?? {};
  if (verify?.error) return [`integration "${name}" check after the run failed: ${verify.error}`];
  return (verify?.problems ?? []).map((problem) => `integration "${name}" check after the run: ${problem}`);
}
