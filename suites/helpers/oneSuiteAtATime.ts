// Loaded into every AVA worker (ava.config.js `require`). AVA runs two test files at a time
// (ava.config.js `concurrency`): the unit tests share the cores freely, but a file under
// suites/ starts chains, guardians and relayers and measures their timing, so two of them at
// once would slow each other's chains and skew what they assert when they measure how fast.
// Such a suite (ava.config.js ALONE_SUITES) holds both of the run's two slots from before its
// test file loads until its process exits: it runs alone. Any other suite (SHARED_SUITES there:
// it asserts what happened, not how fast) holds one slot, so two of them run side by side. The
// modules most suites load are loaded before a slot is taken, at the lowest priority, so the
// next suite's start-up takes only what the running ones leave idle.
// The slots: suites/helpers/processLock.ts, named after the AVA process (every test file's
// parent), so a nested AVA run (suites/launcher.test.ts) has its own. (AVA's shared workers,
// which @ava/cooperate's locks need, require worker threads; these files run in child processes.)
import test from "ava";
import { basename, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { readdirSync } from "node:fs";
import { getPriority, setPriority } from "node:os";
import { holdOneOf } from "./processLock.ts";

const PROJECT = fileURLToPath(new URL("../..", import.meta.url));

const pathOf = (file: string) => (file.startsWith("file:") ? fileURLToPath(file) : file);

/** Whether `file` (a test file's URL or path) is under the project's suites/, whose files take the run's slots. */
export function isSuiteFile(file: string): boolean {
  return relative(PROJECT, pathOf(file)).startsWith(`suites${sep}`);
}

/** Whether suite `file` is one of `shared` (suite names, e.g. "cli" for suites/cli.test.ts), which take one slot, not both. */
export function isSharedSuite(file: string, shared: string[]): boolean {
  return shared.includes(basename(pathOf(file)).replace(/\.test\.ts$/, ""));
}

/** The names of the run's two slots: one per file AVA runs at once. */
export const slots = (avaPid: number) => [0, 1].map((i) => `bridge-stress-suites-${avaPid}-${i}`);

if (isSuiteFile(test.meta.file)) {
  // Loaded before the test file (AVA starts a file's tests as soon as one is declared, so the
  // wait cannot be a hook): first the engine, the Wormhole stack and viem that nearly every
  // suite imports, while the running suite still holds the slots, then the wait.
  const restore = yieldCpu();
  await import("./run.ts");
  // ava.config.js hands its list to the workers (environmentVariables); without it, every suite runs alone.
  const shared = (process.env.BRIDGE_STRESS_SHARED_SUITES ?? "").split(",");
  if (isSharedSuite(test.meta.file, shared)) await holdOneOf(slots(process.ppid));
  // Both, always in this order: a suite holding the first waits only for the shared suite in the second.
  else for (const slot of slots(process.ppid)) await holdOneOf([slot]);
  restore();
}

/**
 * Lowers this process's main thread to nice 19 while it loads and waits, so the running suite's
 * chains and harness get the cores first and the load takes only what they leave idle. Only
 * where the priority can be raised back (root with CAP_SYS_NICE, or RLIMIT_NICE): tried one
 * step down and back first; where it cannot go back, the process stays one step down and loads
 * as it is. Returns the function that restores the priority AVA gave it (0 unless `npm test`
 * itself runs under nice) to every thread once the slots are held, so the suite's chains,
 * spawned after it, start at that priority too.
 */
function yieldCpu(): () => void {
  const given = getPriority();
  try {
    setPriority(Math.min(given + 1, 19));
    setPriority(given);
  } catch {
    return () => undefined;
  }
  setPriority(19);
  // Threads started meanwhile (libuv's pool starts with the first asynchronous file operation)
  // took nice 19 from the main thread: Linux's nice is per thread, so each is restored.
  return () => {
    for (const tid of readdirSync("/proc/self/task")) setPriority(Number(tid), given);
  };
}
