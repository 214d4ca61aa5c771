import test, { type ExecutionContext } from "ava";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync } from "node:fs";
import { getPriority } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isSharedSuite, isSuiteFile, slots } from "./helpers/oneSuiteAtATime.ts";
import { holdOneOf, holdUntilExit } from "./helpers/processLock.ts";

const PROJECT = new URL("..", import.meta.url).pathname;

test("suite files are those under the project's suites/, by path or URL", (t) => {
  t.true(isSuiteFile(join(PROJECT, "suites", "capacity.test.ts")));
  t.true(isSuiteFile(new URL("./capacity.test.ts", import.meta.url).href));
  t.false(isSuiteFile(join(PROJECT, "src", "run.test.ts")));
  t.false(isSuiteFile("/elsewhere/suites/capacity.test.ts"));
});

test("shared suites are named by file, without .test.ts; the slots are named after AVA's process", (t) => {
  t.true(isSharedSuite(join(PROJECT, "suites", "cli.test.ts"), ["cli", "report"]));
  t.true(isSharedSuite(new URL("./report.test.ts", import.meta.url).href, ["cli", "report"]));
  t.false(isSharedSuite(join(PROJECT, "suites", "capacity.test.ts"), ["cli", "report"]));
  t.false(isSharedSuite(join(PROJECT, "suites", "cli.test.ts"), [""]));
  t.deepEqual(slots(42), ["bridge-stress-suites-42-0", "bridge-stress-suites-42-1"]);
  // The list AVA hands its workers (ava.config.js): every suite but those that run alone; this file is one of them.
  const shared = (process.env.BRIDGE_STRESS_SHARED_SUITES ?? "").split(",");
  t.true(isSharedSuite(import.meta.url, shared));
  t.true(shared.includes("compare") && shared.includes("launcher"));
  t.false(shared.includes("capacity") || shared.includes("faults-guardians"), shared.join(","));
});

test("a suite file runs at AVA's priority, every thread of it, once it holds its slots (one step below where it could not be raised back)", (t) => {
  // This file is itself a suite file: it loaded at nice 19 while it waited (oneSuiteAtATime.ts).
  const given = getPriority(process.ppid);
  const nice = readdirSync("/proc/self/task").map((tid) => getPriority(Number(tid)));
  t.true(nice.length > 1, "the main thread and at least one of node's own");
  for (const n of nice) t.true(n <= given + 1, `a thread at nice ${n} (AVA at ${given}): ${nice.join(" ")}`);
});

/** Starts a process that takes the lock `name`, says so, and lives on until killed. */
async function holderOf(t: ExecutionContext, name: string) {
  const module = new URL("./helpers/processLock.ts", import.meta.url).href;
  const script = `await (await import(${JSON.stringify(module)})).holdUntilExit(${JSON.stringify(name)}); console.log("held"); setInterval(() => {}, 1000);`;
  const holder = spawn(process.execPath, ["--import=tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  t.teardown(() => holder.kill("SIGKILL"));
  const exited = once(holder, "exit");
  await once(holder.stdout, "data");
  return { holder, exited };
}

test("the lock: a second holder waits while the first one's process lives, and takes it when that process is killed", async (t) => {
  const name = `bridge-stress-lock-test-${process.pid}`;
  const { holder, exited } = await holderOf(t, name);
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

test("one of several locks: a free one is taken at once; with all held, the first freed", async (t) => {
  const [a, b] = [`bridge-stress-lock-test-${process.pid}-a`, `bridge-stress-lock-test-${process.pid}-b`];
  const first = await holderOf(t, a);
  const second = await holderOf(t, b);
  let taken: string | undefined;
  const waiting = holdOneOf([a, b]).then((name) => {
    taken = name;
  });
  await Promise.race([waiting, sleep(500)]);
  t.is(taken, undefined, "taken while both holders were alive");
  second.holder.kill("SIGKILL");
  await second.exited;
  await waiting;
  t.is(taken, b);
  // This process now holds b; a is still held by the first holder, so a free name is taken at once.
  first.holder.kill("SIGKILL");
  await first.exited;
  t.is(await holdOneOf([b, a]), a);
});
