// Loaded into every AVA worker (ava.config.js `require`). AVA runs two test files at a time
// (ava.config.js `concurrency`): the unit tests share the cores freely, but a file under
// suites/ starts chains, guardians and relayers and measures their timing, so two of them at
// once would slow each other's chains and skew what they assert. Each suite file therefore
// holds one lock per AVA run from before its test file loads until its process exits. The
// modules most suites load are loaded before the lock is taken, at the lowest priority, so the
// next suite's start-up overlaps the running one on what it leaves idle.
// The lock: suites/helpers/processLock.ts, named after the AVA process (every test file's
// parent), so a nested AVA run (suites/launcher.test.ts) has its own. (AVA's shared workers,
// which @ava/cooperate's locks need, require worker threads; these files run in child processes.)
import test from "ava";
import { relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { readdirSync } from "node:fs";
import { getPriority, setPriority } from "node:os";
import { holdUntilExit } from "./processLock.ts";

const PROJECT = fileURLToPath(new URL("../..", import.meta.url));

/** Whether `file` (a test file's URL or path) is under the project's suites/, whose files run one at a time. */
export function isSuiteFile(file: string): boolean {
  const path = file.startsWith("file:") ? fileURLToPath(file) : file;
  return relative(PROJECT, path).startsWith(`suites${sep}`);
}

if (isSuiteFile(test.meta.file)) {
  // Loaded before the test file (AVA starts a file's tests as soon as one is declared, so the
  // wait cannot be a hook): first the engine, the Wormhole stack and viem that nearly every
  // suite imports, while the running suite still holds the lock, then the wait.
  const restore = yieldCpu();
  await import("./run.ts");
  await holdUntilExit(`bridge-stress-suites-${process.ppid}`);
  restore();
}

/**
 * Lowers this process's main thread to nice 19 while it loads and waits, so the running suite's
 * chains and harness get the cores first and the load takes only what they leave idle. Only
 * where the priority can be raised back (root with CAP_SYS_NICE, or RLIMIT_NICE): tried one
 * step down and back first; where it cannot go back, the process stays one step down and loads
 * as it is. Returns the function that restores the priority AVA gave it (0 unless `npm test`
 * itself runs under nice) to every thread once the lock is held, so the suite's chains, spawned
 * after it, start at that priority too.
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
