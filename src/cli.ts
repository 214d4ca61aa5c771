import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { DEFAULT_REPEAT, readFlags } from "./cliFlags.ts";
import { tetherToLauncher } from "./infra/tether.ts";
import { THRESHOLD_EXIT_CODE } from "./measure/thresholds.ts";
import { COMPARISON, COMPARISON_RUNS } from "./report/tables.ts";
import { UsageError } from "./usageError.ts";

// Only the flags' modules load before the flags are checked (src/cliFlags.ts): a usage error is
// answered in a fraction of a second. The scenario loader (src/cliArgs.ts) and the engine
// (src/cliRun.ts) are imported once the command line is known to be usable.

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

async function main(argv: string[]): Promise<number> {
  const flags = readFlags(argv);
  if (flags.command === "help") {
    say(USAGE);
    return 0;
  }
  if ("folder" in flags) return (await import("./cliRun.ts")).folderCommand(flags, say);
  const line = (await import("./cliArgs.ts")).withScenario(flags);
  reportsFolder(line.values.out);
  const { runCommand } = await import("./cliRun.ts");
  // From here chains start: when whoever launched us goes away, stop as on SIGTERM.
  tetherToLauncher();
  return runCommand(line, say);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError) console.error(`bridge-stress: ${err.message}\n\n${USAGE}`);
    else console.error(`bridge-stress: ${(err as Error).message}`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
