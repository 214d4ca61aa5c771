import test, { type ExecutionContext } from "ava";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { descendants, survivorsAfter } from "./helpers/processes.ts";
import { scenarioFile, startRun } from "./helpers/run.ts";

// The harness is tethered to whoever launched it: a CI job's time-out or a supervisor sends
// SIGTERM to the command it started (npm, npx), or kills it outright, and the run must stop as
// on its own SIGTERM — partial report marked incomplete, no chain process left behind.

const dir = mkdtempSync(join(tmpdir(), "bridge-stress-launcher-"));
// Long enough that no run here ends by itself.
const long = scenarioFile(dir, "long", { stages: [{ rate: 2, duration: "300s" }], drain: "5s" });

/** Starts `command`, waits until its run is under way; returns what runs below it by then. */
async function midRun(t: ExecutionContext, command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const { child: launcher, exited, underWay, output } = startRun(command, args, env);
  t.teardown(() => launcher.kill("SIGKILL"));
  await underWay;
  t.is(launcher.exitCode, null, `the run ended before it could be cancelled:\n${output()}`);
  const below = descendants(launcher.pid!);
  // Whatever is left at the end is stopped, so a failed test leaves nothing either.
  t.teardown(() => {
    for (const { pid } of below) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone, as it should be
      }
    }
  });
  t.true(
    below.some((p) => /anvil/.test(p.args)),
    below.map((p) => p.args).join("\n"),
  );
  return { launcher: launcher as ChildProcess, below, exited, output };
}

/** The launcher is gone: every process below it stops, and the report says the run was interrupted. */
async function assertStopped(t: ExecutionContext, out: string, below: Array<{ pid: number; args: string }>, output: () => string) {
  const survivors = await survivorsAfter(
    below.map((p) => p.pid),
    30_000,
  );
  t.deepEqual(
    below.filter((p) => survivors.includes(p.pid)).map((p) => p.args.slice(0, 100)),
    [],
    output(),
  );
  const [runDir] = readdirSync(out).filter((f) => !f.startsWith("."));
  const manifest = JSON.parse(readFileSync(join(out, runDir!, "manifest.json"), "utf8"));
  t.false(manifest.complete);
  t.is(manifest.status, "interrupted", output());
  t.regex(readFileSync(join(out, runDir!, "messages.csv"), "utf8"), /^message_id,/);
}

test.serial("npm run stress + SIGTERM to npm stops the run: no process between npm and the harness", async (t) => {
  const out = mkdtempSync(join(dir, "npm-"));
  const { launcher, below, exited, output } = await midRun(t, "npm", ["run", "stress", "--", "--out", out]);
  // The chain is npm → the harness (the script execs it; tsx is loaded in-process).
  const harness = below.find((p) => /bin\/bridge-stress\.js run default/.test(p.args));
  t.is(harness?.ppid, launcher.pid, below.map((p) => `${p.pid} ${p.ppid} ${p.args}`).join("\n"));
  launcher.kill("SIGTERM");
  await exited;
  await assertStopped(t, out, below, output);
});

test.serial("npx bridge-stress run + SIGTERM to npx stops the run, though npx's sh -c exits without passing the signal on", async (t) => {
  const out = mkdtempSync(join(dir, "npx-"));
  const { launcher, below, exited, output } = await midRun(t, "npx", ["bridge-stress", "run", long, "--out", out]);
  launcher.kill("SIGTERM");
  await exited;
  await assertStopped(t, out, below, output);
  t.regex(output(), /its launcher \(pid \d+: .*\) is gone; stopping as on SIGTERM/);
});

test.serial("a launcher killed outright (SIGKILL: nothing is passed on) stops the run", async (t) => {
  const out = mkdtempSync(join(dir, "kill-"));
  // `; true` keeps the shell alive as the harness's parent (it would otherwise exec it).
  const { launcher, below, exited, output } = await midRun(t, "sh", ["-c", `"${process.execPath}" bin/bridge-stress.js run "${long}" --out "${out}"; true`]);
  launcher.kill("SIGKILL");
  await exited;
  await assertStopped(t, out, below, output);
});

test.serial("a suite that AVA times out leaves no process behind, and a report marked incomplete", async (t) => {
  const out = mkdtempSync(join(dir, "ava-"));
  const ava = ["node_modules/ava/entrypoints/cli.mjs", "suites/fixtures/timeout-run.ts", "--timeout=30s"];
  const { exited, below, output } = await midRun(t, process.execPath, ava, { ...process.env, TIMEOUT_RUN_OUT: out });
  const [code] = await exited;
  t.is(code, 1, output());
  t.regex(output(), /Timed out while running tests/);
  await assertStopped(t, out, below, output);
});

test.serial("AVA itself stopped mid-suite (SIGTERM to npm test reaches it) stops its test files' runs", async (t) => {
  const out = mkdtempSync(join(dir, "ava-term-"));
  const ava = ["node_modules/ava/entrypoints/cli.mjs", "suites/fixtures/timeout-run.ts", "--timeout=5m"];
  const { launcher, exited, below, output } = await midRun(t, process.execPath, ava, { ...process.env, TIMEOUT_RUN_OUT: out });
  launcher.kill("SIGTERM");
  await exited;
  await assertStopped(t, out, below, output);
});
