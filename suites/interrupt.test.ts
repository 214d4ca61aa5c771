import test from "ava";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isAlive } from "../src/infra/instance.ts";
import { procStat } from "../src/infra/tether.ts";
import { pidsNamed, readCsv, tempReports } from "./helpers/run.ts";

/** Whether `pid` descends from `ancestor` (its parent chain in /proc reaches it). */
function descendsFrom(pid: number, ancestor: number): boolean {
  for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 1 && hops < 16; hops++) {
    if (p === ancestor) return true;
    p = procStat(p)?.ppid;
  }
  return false;
}

// Ctrl-C in the middle of a run: every chain process stops and the report that is left
// is readable and marked incomplete.
test("SIGINT mid-run leaves a partial report marked incomplete and no anvil process", async (t) => {
  const out = tempReports();
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
  // The run's own anvils (other runs on the machine may have theirs): the CLI's descendants.
  const ours = pidsNamed("anvil")
    .map(Number)
    .filter((pid) => descendsFrom(pid, cli.pid!));
  t.true(ours.length > 0, "the run's anvil processes are found mid-run");
  cli.kill("SIGINT");
  const [code, signal] = await exited;
  t.true(signal === "SIGINT" || code === 130, `exit ${code} ${signal}\n${output}`);

  const [runDir] = readdirSync(out);
  const run = JSON.parse(readFileSync(join(out, runDir!, "manifest.json"), "utf8"));
  t.false(run.complete);
  t.is(run.status, "interrupted");
  const rows = readCsv(join(out, runDir!), "messages.csv");
  t.true(rows.length > 0);
  t.true(rows.every((r) => ["delivered", "dropped", "in-flight"].includes(r.status)));
  // The HTML report is written too, and says the run is incomplete.
  t.regex(readFileSync(join(out, runDir!, "report.html"), "utf8"), /INCOMPLETE run<\/strong> \(interrupted\)/);
  t.deepEqual(
    ours.filter((pid) => isAlive(pid)),
    [],
  );
});
