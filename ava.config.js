// Suites start real chains: run files in child processes (not worker threads) so a
// timed-out file's process exits and its tethered anvil/validator processes go with it.
// Two files run at a time, unit files first (sortTestFiles); a file under suites/ waits for
// the one suite running to end (suites/helpers/oneSuiteAtATime.ts), so a suite shares the
// cores only with the next suite's start-up, never with another suite's chains.
// BRIDGE_STRESS_QUICK=1 (npm run test:quick) leaves out the suites that need the Cosmos
// binaries, so a quick run does not wait for their first build.
import { fileURLToPath } from "node:url";

const COSMOS_SUITES = ["!suites/cosmos*.test.ts", "!suites/ibc*.test.ts"];

const SUITES = fileURLToPath(new URL("suites/", import.meta.url));
/** Unit files (src/, chains/, scripts/) before suites/, each group in path order. */
const unitFilesFirst = (a, b) => {
  const suite = (file) => (file.startsWith(SUITES) ? 1 : 0);
  return suite(a) - suite(b) || a.localeCompare(b);
};

export default {
  files: ["suites/**/*.test.ts", "src/**/*.test.ts", "chains/**/*.test.ts", "scripts/**/*.test.ts", ...(process.env.BRIDGE_STRESS_QUICK ? COSMOS_SUITES : [])],
  extensions: { ts: "module" },
  nodeArguments: ["--import=tsx"],
  require: ["./suites/helpers/exitWhenDone.ts", "./suites/helpers/oneSuiteAtATime.ts"],
  workerThreads: false,
  timeout: "3m",
  concurrency: 2,
  sortTestFiles: unitFilesFirst,
};
