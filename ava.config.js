// Suites start real chains: run files in child processes (not worker threads) so a
// timed-out file's process exits and its tethered anvil/validator processes go with it.
// Two files run at a time: unit files first, then the shared suites, then the suites that run
// alone (sortTestFiles). A suite in ALONE_SUITES shares the cores only with the next file's
// start-up; any other suite runs beside another one (suites/helpers/oneSuiteAtATime.ts).
// BRIDGE_STRESS_QUICK=1 (npm run test:quick) leaves out the suites that need the Cosmos
// binaries, so a quick run does not wait for their first build.
import { readdirSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";

const COSMOS_SUITES = ["!suites/cosmos*.test.ts", "!suites/ibc*.test.ts"];

// Suites that measure how fast (delays against a fault's timing, thresholds on p50 or p99,
// capacity, one configuration against another within one run, block-height skew): another
// suite's chains on the same two cores would skew what they assert, so each runs alone. Every
// other suite asserts what happened (messages delivered or dropped and why, exit codes, report
// files, processes left, revert reasons, contract state, a comparison's verdicts from
// interleaved pairs): sharing the cores with one more suite slows it without changing a result.
// Measured 2026-12-03: a suite alone kept the two cores 29–44 % busy; four suites run as two
// pairs took 176 s against 316 s one after another.
const ALONE_SUITES = [
  "capacity",
  "cosmos",
  "cosmos-faults",
  "faults-destination",
  "faults-guardian-rpc",
  "faults-guardians",
  "faults-network",
  "faults-relayer",
  "faults-source",
  "guardians-gossip",
  "guardians-regions",
  "relayer-knobs",
];

const SUITES = fileURLToPath(new URL("suites/", import.meta.url));
const suiteName = (file) => basename(file).replace(/\.test\.ts$/, "");
const SHARED_SUITES = readdirSync(SUITES)
  .filter((file) => file.endsWith(".test.ts"))
  .map(suiteName)
  .filter((name) => !ALONE_SUITES.includes(name));

/** Unit files (src/, chains/, scripts/), then shared suites, then the suites that run alone, each group in path order. */
const group = (file) => {
  if (!file.startsWith(SUITES)) return 0;
  return SHARED_SUITES.includes(suiteName(file)) ? 1 : 2;
};
const byGroup = (a, b) => group(a) - group(b) || a.localeCompare(b);

export default {
  files: ["suites/**/*.test.ts", "src/**/*.test.ts", "chains/**/*.test.ts", "scripts/**/*.test.ts", ...(process.env.BRIDGE_STRESS_QUICK ? COSMOS_SUITES : [])],
  extensions: { ts: "module" },
  nodeArguments: ["--import=tsx"],
  require: ["./suites/helpers/exitWhenDone.ts", "./suites/helpers/oneSuiteAtATime.ts"],
  environmentVariables: { BRIDGE_STRESS_SHARED_SUITES: SHARED_SUITES.join(",") },
  workerThreads: false,
  timeout: "3m",
  concurrency: 2,
  sortTestFiles: byGroup,
};
