import test from "ava";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync } from "node:fs";
import { getPriority } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isSuiteFile } from "./helpers/oneSuiteAtATime.ts";
import { holdUntilExit } from "./helpers/processLock.ts";

const PROJECT = new URL("..", import.meta.url).pathname;

test("suite files are those under the project's suites/, by path or URL", (t) => {
  t.true(isSuiteFile(join(PROJECT, "suites", "capacity.test.ts")));
  t.true(isSuiteFile(new URL("./capacity.test.ts", import.meta.url).href));
  t.false(isSuiteFile(join(PROJECT, "src", "run.test.ts")));
  t.false(isSuiteFile("/elsewhere/suites/capacity.test.ts"));
});

test("a suite file runs at AVA's priority, every thread of it, once it holds the lock (one step below where it could not be raised back)", (t) => {
  // This file is itself a suite file: it loaded at nice 19 while it waited (oneSuiteAtATime.ts).
  const given = getPriority(process.ppid);
  const nice = readdirSync("/proc/self/task").map((tid) => getPriority(Number(tid)));
  t.true(nice.length > 1, "the main thread and at least one of node's own");
  for (const n of nice) t.true(n <= given + 1, `a thread at nice ${n} (AVA at ${given}): ${nice.join(" ")}`);
});

test("the lock: a second holder waits while the first one's process lives, and takes it when that process is killed", async (t) => {
  const name = `bridge-stress-lock-test-${process.pid}`;
  const module = new URL("./helpers/processLock.ts", import.meta.url).href;
  // Another process takes the lock, says so, and lives on until killed.
  const script = `await (await import(${JSON.stringify(module)})).holdUntilExit(${JSON.stringify(name)}); console.log("held"); setInterval(() => {}, 1000);`;
  const holder = spawn(process.execPath, ["--import=tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  t.teardown(() => holder.kill("SIGKILL"));
  const exited = once(holder, "exit");
  await once(holder.stdout, "data");
  let taken = false;
  const second = holdUntilExit(name).then(() => {
    taken = true;
  });
  // Not taken while the holder lives (half a second of waiting, then the holder goes).
  await Promise.race([second, sleep(500)]);
  t.false(taken, "taken while its holder was alive");
  holder.kill("SIGKILL");
  await exited;
  await second;
  t.true(taken);
});
