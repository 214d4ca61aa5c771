import test from "ava";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { setImmediate as turn } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Lifecycle, type LifecycleHooks } from "./lifecycle.ts";

/** A promise to settle from the test: lets a hook stay pending exactly as long as the test wants. */
function deferred() {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

/** A part whose start and stop hooks wait for the test (by default they return at once), counting calls. */
function part(options: Partial<LifecycleHooks> & { startGate?: Promise<void>; stopGate?: Promise<void> } = {}) {
  const calls = { start: 0, stop: 0, order: [] as string[], signal: undefined as AbortSignal | undefined };
  const entered = deferred();
  const life = new Lifecycle({
    name: "test-part",
    async start(signal) {
      calls.start++;
      calls.signal = signal;
      calls.order.push("start");
      entered.resolve();
      await options.startGate;
      calls.order.push("started");
    },
    async stop() {
      calls.stop++;
      calls.order.push("stop");
      await options.stopGate;
    },
    ...options,
  });
  return { life, calls, entered: entered.promise };
}

test("start: idle → starting → started, the hook runs once however often start() is called meanwhile or after", async (t) => {
  const gate = deferred();
  const { life, calls } = part({ startGate: gate.promise });
  t.is(life.status, "idle");
  const first = life.start();
  const second = life.start();
  t.is(life.status, "starting");
  gate.resolve();
  await Promise.all([first, second]);
  t.is(life.status, "started");
  await life.start();
  t.is(calls.start, 1);
});

test("start() during stopping is refused with an error naming the part, and the start hook is not called", async (t) => {
  const gate = deferred();
  const { life, calls } = part({ stopGate: gate.promise });
  await life.start();
  const stopping = life.stop();
  t.is(life.status, "stopping");
  await t.throwsAsync(life.start(), { message: /^test-part: start\(\) refused while it is stopping/ });
  gate.resolve();
  await stopping;
  t.is(life.status, "stopped");
  t.is(calls.start, 1);
});

test("stop: started → stopping → stopped, the hook runs once however often stop() is called meanwhile or after", async (t) => {
  const gate = deferred();
  const { life, calls } = part({ stopGate: gate.promise });
  await life.start();
  const first = life.stop();
  const second = life.stop();
  t.is(life.status, "stopping");
  gate.resolve();
  await Promise.all([first, second]);
  t.is(life.status, "stopped");
  await life.stop();
  t.is(calls.stop, 1);
});

test("stop() from idle marks the part stopped without calling the stop hook (nothing was started)", async (t) => {
  const { life, calls } = part();
  await life.stop();
  t.is(life.status, "stopped");
  t.is(calls.stop, 0);
});

test("stop() during start aborts the start, waits for its hook to return, then stops what it started; the start rejects", async (t) => {
  const gate = deferred();
  const { life, calls, entered } = part({ startGate: gate.promise });
  const starting = life.start();
  await entered;
  const stopping = life.stop();
  t.true(calls.signal?.aborted, "the start hook is told to give up");
  // Everything the lifecycle would do on its own has run by the next turn of the event loop.
  await turn();
  t.is(calls.stop, 0, "nothing is taken down while the start hook is still bringing it up");
  gate.resolve();
  await stopping;
  await t.throwsAsync(starting, { message: "test-part: stopped before it had started\n[part-failed] see README.md#errors" });
  t.deepEqual(calls.order, ["start", "started", "stop"]);
  t.is(life.status, "stopped");
});

test("a stop() at any moment of a start leaves the part stopped with everything it started taken down", async (t) => {
  // Stopped after 0, 1, 2, … microtask turns: before the start hook runs, while it runs, as it returns, after it returned.
  for (let turns = 0; turns < 24; turns++) {
    const { life, calls } = part();
    const starting = life.start().then(
      () => "started",
      () => "rejected",
    );
    for (let i = 0; i < turns; i++) await Promise.resolve();
    await life.stop();
    t.is(life.status, "stopped", `stopped after ${turns} turns`);
    t.is(calls.stop, calls.start, `after ${turns} turns: what was started is taken down`);
    t.regex(await starting, /started|rejected/);
  }
});

test("a failed start rethrows the hook's error, takes down what it brought up and leaves the part stopped", async (t) => {
  const { life, calls } = part({
    start: async () => {
      throw new Error("port in use");
    },
  });
  await t.throwsAsync(life.start(), { message: "port in use" });
  t.is(calls.stop, 1);
  t.is(life.status, "stopped");
});

test("a start hook that throws at once fails the start the same way", async (t) => {
  const { life, calls } = part({
    start: () => {
      throw new Error("bad config");
    },
  });
  await t.throwsAsync(life.start(), { message: "bad config" });
  t.is(calls.stop, 1);
  t.is(life.status, "stopped");
});

test("a start past its time-out fails with the part's name, the time-out and its recent log lines, aborted and taken down", async (t) => {
  const { life, calls } = part({
    start: (signal) => new Promise((resolve) => signal.addEventListener("abort", () => resolve())),
    startTimeoutMs: 20,
    logs: () => ["listening on 127.0.0.1:1", "waiting for the chain"],
  });
  const err = await t.throwsAsync(life.start());
  t.regex(err.message, /^test-part: did not start within its start time-out of 20 ms/);
  t.regex(err.message, /waiting for the chain/);
  t.is(calls.stop, 1);
  t.is(life.status, "stopped");
});

test("a stop past its time-out fails with the part's name and the time-out, and the part is left stopped", async (t) => {
  const { life } = part({ stopGate: new Promise(() => undefined), stopTimeoutMs: 20 });
  await life.start();
  await t.throwsAsync(life.stop(), { message: /^test-part: did not stop within its stop time-out of 20 ms/ });
  t.is(life.status, "stopped");
  await life.stop();
});

test("a stopped part starts again: the start hook runs anew", async (t) => {
  const { life, calls } = part();
  await life.start();
  await life.stop();
  await life.start();
  t.is(life.status, "started");
  t.is(calls.start, 2);
});

// Every long-lived part, in this process or not (ProcessInstance), keeps its status through a Lifecycle.

test("no part outside the lifecycles sets its instance status by hand", (t) => {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.ts$/.test(entry.name) && !entry.name.endsWith(".test.ts")) {
        const file = relative(root, path);
        if (/status: InstanceStatus = |this\.status = "(idle|starting|started|stopping|stopped)"/.test(readFileSync(path, "utf8"))) offenders.push(file);
      }
    }
  };
  walk(join(root, "src"));
  walk(join(root, "chains"));
  t.deepEqual(offenders, []);
});
