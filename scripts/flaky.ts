// Runs the test suites several times and reports each test's failures: how flaky the suites are.
//
//   npm run flaky -- [--rounds N] [--full] [-- ava arguments…]
//
// Each round is `npm run test:quick -- --tap` (or `npm test -- --tap` with --full), in its own
// process group; its TAP output is shown as it comes and tallied per test. The end prints every
// test that failed in any round with its count, the slowest tests (time since the result
// before), and one line `R rounds: T tests, F failures in K tests`; reports/flaky-<date>.json
// keeps the tally with each round's wall time. Ctrl-C stops the running round's whole
// process group, then reports the rounds finished.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

/** One test's record over the rounds. */
export interface TestTally {
  runs: number;
  failures: number;
  /** Rounds (1-based) it failed in. */
  failedIn: number[];
  /** The longest time, s, from the result before it to its own (its file's start-up included for a file's first test): where a round's time goes. */
  maxGapS?: number;
}

/** A TAP result line: `ok N - name` or `not ok N - name`. */
const RESULT_LINE = /^(not ok|ok) \d+ - (.*)$/;

/**
 * Adds one round's TAP output to `tally`: every `ok N - name` and `not ok N - name` line counts
 * (skipped and todo tests do not). Returns how many results the round had, and whether it
 * ended with a failure outside any test (no result lines at all).
 */
export function tallyTap(
  tap: string,
  round: number,
  tally: Map<string, TestTally>,
  gapsS: Map<string, number> = new Map(),
): { results: number; failed: number } {
  let results = 0;
  let failed = 0;
  for (const line of tap.split("\n")) {
    const m = RESULT_LINE.exec(line);
    if (!m || /# (SKIP|TODO)\b/i.test(m[2]!)) continue;
    const name = m[2]!.trim();
    const t = tally.get(name) ?? { runs: 0, failures: 0, failedIn: [] };
    const gap = gapsS.get(name);
    if (gap !== undefined) t.maxGapS = Math.max(t.maxGapS ?? 0, gap);
    t.runs++;
    results++;
    if (m[1] === "not ok") {
      t.failures++;
      t.failedIn.push(round);
      failed++;
    }
    tally.set(name, t);
  }
  return { results, failed };
}

/** Tests that failed at least once, most failures first. */
export function flakyTests(tally: Map<string, TestTally>): Array<[string, TestTally]> {
  return [...tally].filter(([, t]) => t.failures > 0).sort(([, a], [, b]) => b.failures - a.failures);
}

/** Runs one round; `gapsS` gets each result's time since the previous result (or the round's start), s, as its line arrives. */
function runRound(
  args: string[],
  onChild: (pid: number | undefined) => void,
): Promise<{ tap: string; code: number | null; gapsS: Map<string, number>; wallS: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    let last = started;
    const gapsS = new Map<string, number>();
    const child = spawn("npm", args, { detached: true, stdio: ["ignore", "pipe", "inherit"] });
    onChild(child.pid);
    let tap = "";
    let partial = "";
    child.stdout.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      tap += text;
      process.stdout.write(chunk);
      const lines = (partial + text).split("\n");
      partial = lines.pop()!;
      for (const line of lines) {
        const m = RESULT_LINE.exec(line);
        if (!m) continue;
        const at = performance.now();
        gapsS.set(m[2]!.trim(), (at - last) / 1000);
        last = at;
      }
    });
    child.on("close", (code) => resolve({ tap, code, gapsS, wallS: (performance.now() - started) / 1000 }));
  });
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { rounds: { type: "string", default: "5" }, full: { type: "boolean", default: false } },
    allowPositionals: true,
    strict: false,
  });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds ${values.rounds}: must be a whole number ≥ 1, e.g. --rounds 5`);
  const script = values.full ? "test" : "test:quick";
  const tally = new Map<string, TestTally>();
  const crashed: number[] = [];
  let running: number | undefined;
  let stopped = false;
  process.on("SIGINT", () => {
    stopped = true;
    if (running) process.kill(-running, "SIGINT");
  });
  /** Each finished round's wall time, s. */
  const roundsS: number[] = [];
  for (let round = 1; round <= rounds && !stopped; round++) {
    console.error(`flaky: round ${round} of ${rounds}: npm run ${script}`);
    const { tap, code, gapsS, wallS } = await runRound(["run", "--silent", script, "--", "--tap", ...(positionals as string[])], (pid) => {
      running = pid;
    });
    running = undefined;
    if (stopped) break;
    const { results, failed } = tallyTap(tap, round, tally, gapsS);
    roundsS.push(Math.round(wallS));
    console.error(`flaky: round ${round} took ${(wallS / 60).toFixed(1)} min`);
    // A round that exits non-zero without a failing test line crashed outside the tests.
    if ((code !== 0 && failed === 0) || results === 0) crashed.push(round);
  }
  const flaky = flakyTests(tally);
  const failures = flaky.reduce((n, [, t]) => n + t.failures, 0);
  console.log("");
  for (const [name, t] of flaky) console.log(`${t.failures} of ${t.runs}  ${name}  (rounds ${t.failedIn.join(", ")})`);
  const slowest = [...tally].filter(([, t]) => t.maxGapS !== undefined).sort(([, a], [, b]) => b.maxGapS! - a.maxGapS!);
  console.log("slowest (longest time from the result before, s):");
  for (const [name, t] of slowest.slice(0, 15)) console.log(`  ${t.maxGapS!.toFixed(1)}  ${name}`);
  if (crashed.length) console.log(`rounds that ended without test results or failed outside a test: ${crashed.join(", ")}`);
  console.log(`${roundsS.length} rounds of npm run ${script}: ${tally.size} tests, ${failures} failures in ${flaky.length} tests`);
  mkdirSync("reports", { recursive: true });
  const file = join("reports", `flaky-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify({ script, rounds: roundsS.length, roundsS, crashed, tests: Object.fromEntries(tally) }, null, 2)}\n`);
  console.log(`tally: ${file}`);
  process.exitCode = failures || crashed.length ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().catch((err) => {
    console.error(`flaky: ${(err as Error).message}`);
    process.exitCode = 2;
  });
}
