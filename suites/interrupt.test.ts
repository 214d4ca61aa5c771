import test from "ava";
import { spawn, execFileSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";

function anvilPids(): string[] {
  try {
    return execFileSync("pgrep", ["-x", "anvil"], { encoding: "utf8" }).trim().split("\n").filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

// Ctrl-C in the middle of a run: every chain process stops and the report that is left
// is readable and marked incomplete.
test("SIGINT mid-run leaves a partial report marked incomplete and no anvil process", async (t) => {
  const before = anvilPids();
  const out = mkdtempSync(join(tmpdir(), "bridge-stress-"));
  const cli = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", "run", "smoke", "--out", out], { stdio: ["ignore", "pipe", "pipe"] });
  t.teardown(() => cli.kill("SIGKILL"));
  let output = "";
  const midRun = new Promise<void>((resolve) => {
    cli.stdout.on("data", (chunk) => {
      output += chunk;
      if (/t=\d+s stage/.test(output)) resolve();
    });
  });
  cli.stderr.on("data", (chunk) => (output += chunk));
  const exited = once(cli, "exit");
  await Promise.race([midRun, exited]);
  t.is(cli.exitCode, null, `the run ended before it could be interrupted:\n${output}`);
  cli.kill("SIGINT");
  const [code, signal] = await exited;
  t.true(signal === "SIGINT" || code === 130, `exit ${code} ${signal}\n${output}`);

  const [runDir] = readdirSync(out);
  const run = JSON.parse(readFileSync(join(out, runDir!, "manifest.json"), "utf8"));
  t.false(run.complete);
  t.is(run.status, "interrupted");
  const rows = parse(readFileSync(join(out, runDir!, "messages.csv")), { columns: true }) as Array<{ status: string }>;
  t.true(rows.length > 0);
  t.true(rows.every((r) => ["delivered", "dropped", "in-flight"].includes(r.status)));
  t.deepEqual(anvilPids().filter((pid) => !before.includes(pid)), []);
});
