// Suites start real chains: run files in child processes (not worker threads) so a
// timed-out file's process exits and its tethered anvil/validator processes go with it.
export default {
  files: ["suites/**/*.test.ts", "src/**/*.test.ts", "chains/**/*.test.ts"],
  extensions: { ts: "module" },
  nodeArguments: ["--import=tsx"],
  require: ["./suites/helpers/exitWhenDone.ts"],
  workerThreads: false,
  timeout: "3m",
  concurrency: 1,
};
