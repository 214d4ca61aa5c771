// Suites start real chains: run files in child processes (not worker threads) so a
// timed-out file's process exits and its tethered anvil/validator processes go with it.
// BRIDGE_STRESS_QUICK=1 (npm run test:quick) leaves out the suites that need the Cosmos
// binaries, so a quick run does not wait for their first build.
const COSMOS_SUITES = ["!suites/cosmos*.test.ts", "!suites/ibc*.test.ts"];

export default {
  files: ["suites/**/*.test.ts", "src/**/*.test.ts", "chains/**/*.test.ts", "scripts/**/*.test.ts", ...(process.env.BRIDGE_STRESS_QUICK ? COSMOS_SUITES : [])],
  extensions: { ts: "module" },
  nodeArguments: ["--import=tsx"],
  require: ["./suites/helpers/exitWhenDone.ts"],
  workerThreads: false,
  timeout: "3m",
  concurrency: 1,
};
