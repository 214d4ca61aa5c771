import test from "ava";
import { setTimeout as sleep } from "node:timers/promises";
import { Anvil } from "../../chains/anvil.ts";
import { isAlive, ProcessInstance } from "./instance.ts";

test("a process stopped in its first milliseconds does not outlive stop(), not even as a zombie", async (t) => {
  const pids: number[] = [];
  for (let i = 0; i < 12; i++) {
    const anvil = new Anvil({ chainId: 1, blockTimeMs: 500 });
    const starting = anvil.start().catch(() => undefined);
    // Stopped at once, or a few ms into start-up: before and after the tether shell set up its trap.
    await sleep(i % 4);
    await anvil.stop();
    await starting;
    if (anvil.pid) pids.push(anvil.pid);
  }
  t.true(pids.length > 0, "the tether shell reported the child's pid");
  // A killed child is gone once its shell has reaped it (a zombie still answers signal 0).
  await sleep(200);
  t.deepEqual(pids.filter(isAlive), []);
});

/** A node process that says "ready" after `delayMs` and then idles. */
const lateReady = (delayMs: number) =>
  new ProcessInstance({
    name: "late-ready",
    command: process.execPath,
    args: ["-e", `setTimeout(() => console.log("ready"), ${delayMs}); setInterval(() => {}, 1000);`],
    readyWhen: (line) => line === "ready",
  });

test("a process keeps its status through the Lifecycle: a second start() waits for the same readiness, start() while stopping is refused", async (t) => {
  const proc = lateReady(300);
  const first = proc.start();
  const second = proc.start();
  t.is(proc.status, "starting");
  await second;
  t.is(proc.status, "started", "the second start() resolves only once the process is ready");
  await first;
  const pid = proc.pid!;
  const stopping = proc.stop();
  t.is(proc.status, "stopping");
  await t.throwsAsync(proc.start(), { message: /late-ready: start\(\) refused while it is stopping/ });
  await stopping;
  t.is(proc.status, "stopped");
  t.false(isAlive(pid));
});

test("a process that is not ready in time fails its start with its own message and is taken down", async (t) => {
  const proc = new ProcessInstance({
    name: "never-ready",
    command: process.execPath,
    args: ["-e", "setInterval(() => {}, 1000);"],
    readyWhen: (line) => line === "ready",
    startTimeoutMs: 300,
  });
  await t.throwsAsync(proc.start(), { message: /^never-ready: not ready after 300 ms/ });
  t.is(proc.status, "stopped");
  t.false(isAlive(proc.pid!));
});
