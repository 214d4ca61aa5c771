import { join, relative, resolve } from "node:path";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tetherToLauncher } from "./infra/tether.ts";
import { runScenario, type RunResult } from "./run.ts";
import { compareRelayers, DEFAULT_REPEAT } from "./compare.ts";
import { bundleRun } from "./report/bundle.ts";
import { writeHtmlReport } from "./report/html.ts";
import { headroom } from "./report/runReport.ts";
import { MANIFEST } from "./report/manifest.ts";
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
import { capacityLine } from "./measure/capacity.ts";
import { harnessWarnings } from "./report/warnings.ts";
import { MACHINE_CORES } from "./measure/machineCpu.ts";
import { summaryTable } from "./report/summaryTable.ts";
import { THRESHOLD_EXIT_CODE } from "./measure/thresholds.ts";
import { parseCommandLine } from "./cliArgs.ts";
import { UsageError } from "./usageError.ts";

const USAGE = `usage: bridge-stress run [scenario] [--seed N] [--out DIR] [--threshold EXPR ...] [--chain-mode CHAIN=MODE ...] [--fork-block CHAIN=N ...]
                        [--metrics-port N] [--memory-guard off|minAvailable=S,maxProcess=S]
       bridge-stress compare <scenario> --relayer A --relayer B [...] [--repeat N] [--seed N] [--out DIR]
       bridge-stress report <run-dir>
       bridge-stress bundle <run-dir>

  report     (re)build <run-dir>/report.html from the run's CSVs and manifest alone: charts
             rendered to SVG, self-contained (opens offline); a comparison folder gets the
             relayers overlaid. Every run and comparison writes one at its end.
  bundle     pack a run's CSVs, manifest and report with a SHA256SUMS file into <run-dir>.tar.gz
             (verify: tar -xzf it, then sha256sum -c SHA256SUMS in the run's folder)
  compare    run the same seeded scenario N times per relayer preset (fixtures/relayers/, or
             fixtures/relayers/rly/ on the ibc bridge), interleaved (A1 B1 A2 B2 ...), and write
             ${COMPARISON.file}: per stage, the delivered share and the p50, p99 and mean delay (drops
             counted as delays of at least the drain) of each preset against the first, from the N
             paired per-run differences: a t interval at level 1 - 0.05/m for m verdicts, "different"
             only when it lies wholly beyond one block time (delay) or 1 percentage point (share);
             ${COMPARISON_RUNS.file} holds every per-run figure. See README, "Comparing relayers"

  scenario   a name in fixtures/scenarios/ (default: "default") or a path to a scenario JSON file
  --seed N   override the scenario's seed (same seed, same message sequence)
  --out DIR  folder for the run's report folder (default: reports)
  --repeat N compare: pairs of interleaved runs, N >= 3 (default: ${DEFAULT_REPEAT})
  --threshold EXPR
             pass/fail criterion, k6 style, e.g. "p99<2000", "drop_rate==0", "late_rate<0.01";
             repeatable, added to the scenario's; any failure exits with code ${THRESHOLD_EXIT_CODE}
  --metrics-port N
             serve Prometheus metrics at http://127.0.0.1:N/metrics during the run (0: any free port,
             printed at the start)
  --memory-guard off | minAvailable=S,maxProcess=S
             stop the run with a partial report when the machine's available memory falls below
             share S of its total, or one process holds more than S of it (default 0.1 and 0.5;
             either setting alone keeps the scenario's other); off: never
  --chain-mode CHAIN=MODE
             run CHAIN as local (fresh anvil), fork (anvil --fork-url $BRIDGE_STRESS_FORK_URL_<CHAIN>)
             or remote (the dev node at $BRIDGE_STRESS_RPC_URL_<CHAIN>); repeatable
  --fork-block CHAIN=N
             fork CHAIN at block N (anvil --fork-block-number) instead of the origin's head; the
             chain must be in fork mode; repeatable`;

// A closed stdout (`bridge-stress run … | head -1`) must not end the run: its progress lines go
// nowhere from then on, the report is still written. Said once on stderr (which may be closed too).
let stdoutOpen = true;
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (!stdoutOpen) return;
  stdoutOpen = false;
  process.stderr.write(`bridge-stress: stdout cannot be written (${err.code ?? err.message}); the run goes on and writes its report\n`, () => undefined);
});
process.stderr.on("error", () => undefined);
const say = (line: string) => {
  if (stdoutOpen) console.log(line);
};

/** Makes the folder that receives report folders, and proves a file can be written there, before any chain starts. */
function reportsFolder(out: string | undefined): void {
  const dir = resolve(out ?? "reports");
  const probe = resolve(dir, `.bridge-stress-write-test-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, "");
    rmSync(probe);
  } catch (err) {
    const { code, message } = err as NodeJS.ErrnoException;
    const why = code === "ENOTDIR" || code === "EEXIST" ? "a part of that path is a file, not a folder" : message;
    throw new UsageError(`--out ${out ?? "reports"}: cannot create the report folder ${dir} (${why}); give a folder that can be created and written`);
  }
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

async function main(argv: string[]): Promise<number> {
  const line = parseCommandLine(argv);
  if (line.command === "help") {
    say(USAGE);
    return 0;
  }
  if ("folder" in line) {
    if (line.command === "bundle") {
      const { archive, files } = bundleRun(line.folder);
      say(`bundle: ${relative(process.cwd(), archive)} (${files.join(", ")})`);
    } else say(`report: ${relative(process.cwd(), await writeHtmlReport(line.folder))}`);
    return 0;
  }
  const { command, scenario, values, repeat, metricsPort } = line;
  reportsFolder(values.out);
  // From here chains start: when whoever launched us goes away, stop as on SIGTERM.
  tetherToLauncher();
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

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError) console.error(`bridge-stress: ${err.message}\n\n${USAGE}`);
    else console.error(`bridge-stress: ${(err as Error).message}`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
