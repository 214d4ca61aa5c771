// Suites start real chains: run files in child processes (not worker threads) so a
// timed-out file's process exits and its tethered anvil/validator processes go with it.
// Two files run at a time: unit files first, then the shared suites, then the other suites
// (sortTestFiles). A suite file runs alone, sharing the cores only with the next file's
// start-up; a shared suite runs beside another shared suite (suites/helpers/oneSuiteAtATime.ts).
// BRIDGE_STRESS_QUICK=1 (npm run test:quick) leaves out the suites that need the Cosmos
// binaries, so a quick run does not wait for their first build.
import { basename } from "node:path";
import { fileURLToPath } from "node:url";

const COSMOS_SUITES = ["!suites/cosmos*.test.ts", "!suites/ibc*.test.ts"];

// Suites that assert what happened (exit codes, report files, listening sockets, processes
// left, revert reasons, contract state), never how fast or how many within a time: sharing the
// cores with another one of them slows them without changing a result. A suite that measures
// delays, rates, fault timing or capacity stays off this list.
const SHARED_SUITES = [
  "chain-modes",
  "cli",
  "contracts",
  "core",
  "cosmos-isolation",
  "fork-core",
  "integration",
  "interrupt",
  "isolation",
  "launcher",
  "lending-contracts",
  "one-suite-at-a-time",
  "output",
  "receiver",
  "receiver-hostile",
  "report",
];

const SUITES = fileURLToPath(new URL("suites/", import.meta.url));
/** Unit files (src/, chains/, scripts/), then shared suites, then the other suites, each group in path order. */
const group = (file) => {
  if (!file.startsWith(SUITES)) return 0;
  return SHARED_SUITES.includes(basename(file).replace(/\.test\.ts$/, "")) ? 1 : 2;
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
