import test from "ava";
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCsv, scenarioFile, startRun } from "./helpers/run.ts";

// Output that cannot be written does not lose the run. A full disk is covered without mounting
// anything by src/report/output.test.ts; here end to end on a real, small tmpfs where this
// machine lets us mount one (root with CAP_SYS_ADMIN).

const dir = mkdtempSync(join(tmpdir(), "bridge-stress-output-"));
const tiny = scenarioFile(dir, "tiny", { stages: [{ rate: 5, duration: "2s" }] });

test("stdout closed mid-run (| head -1): the run goes on and writes its whole report", async (t) => {
  const out = mkdtempSync(join(dir, "head-"));
  const cli = spawn(process.execPath, ["bin/bridge-stress.js", "run", tiny, "--out", out], { stdio: ["ignore", "pipe", "pipe"] });
  t.teardown(() => cli.kill("SIGKILL"));
  let stderr = "";
  cli.stderr.on("data", (chunk) => (stderr += chunk));
  // What `| head -1` does: read one line, then close the pipe.
  const [first] = (await once(cli.stdout, "data")) as [Buffer];
  cli.stdout.destroy();
  const [code] = await once(cli, "exit");
  t.regex(first.toString(), /^starting /);
  t.is(code, 0, stderr);
  t.regex(stderr, /stdout cannot be written \(EPIPE\); the run goes on and writes its report/);
  const [runDir] = readdirSync(out);
  const manifest = JSON.parse(readFileSync(join(out, runDir!, "manifest.json"), "utf8"));
  t.true(manifest.complete);
  t.is(readCsv(join(out, runDir!), "messages.csv").length, 10);
  t.true(existsSync(join(out, runDir!, "report.html")));
});

test("a report folder that cannot be created is refused before any chain starts, exit 2", async (t) => {
  const file = join(dir, "a-file");
  writeFileSync(file, "");
  const cli = spawn(process.execPath, ["bin/bridge-stress.js", "run", tiny, "--out", join(file, "reports")], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  cli.stdout.on("data", (chunk) => (output += chunk));
  cli.stderr.on("data", (chunk) => (output += chunk));
  const [code] = await once(cli, "exit");
  t.is(code, 2, output);
  t.regex(output, /--out .*a-file\/reports: cannot create the report folder .*a-file\/reports \(a part of that path is a file, not a folder\)/);
  t.notRegex(output, /starting/);
});

/** A fresh 2 MB tmpfs, or why there cannot be one here. */
function smallDisk(): { path: string } | { why: string } {
  const path = mkdtempSync(join(dir, "disk-"));
  const mount = spawnSync("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", path], { encoding: "utf8" });
  return mount.status === 0 ? { path } : { why: `mount -t tmpfs failed (${(mount.stderr || mount.error?.message || "").trim()})` };
}

const disk = smallDisk();
if ("why" in disk) console.log(`output.test.ts: the full-disk run is skipped: ${disk.why}; src/report/output.test.ts covers a full disk without a mount`);

const onSmallDisk = "path" in disk ? test : test.skip;

onSmallDisk("the report folder's disk fills up mid-run: the run ends, the CSVs hold whole rows, the manifest says incomplete, exit 1", async (t) => {
  const path = (disk as { path: string }).path;
  t.teardown(() => spawnSync("umount", [path]));
  const { child: cli, exited, underWay, output } = startRun(process.execPath, ["bin/bridge-stress.js", "run", tiny, "--out", path]);
  t.teardown(() => cli.kill("SIGKILL"));
  await underWay;
  t.is(cli.exitCode, null, output());
  // Fill what is left of the disk.
  const filler = openSync(join(path, "filler"), "w");
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(filler, block);
  } catch (err) {
    t.is((err as NodeJS.ErrnoException).code, "ENOSPC");
  }
  for (let n = 1; n > 0; ) {
    try {
      n = writeSync(filler, block, 0, 1);
    } catch {
      n = 0;
    }
  }
  closeSync(filler);
  const [code] = await exited;
  t.is(code, 1, output());
  // Which files fail depends on where the disk ran out (tmpfs hands out whole pages): each is named, with what it got.
  t.regex(output(), /report file not written in full: \w+\.csv: ENOSPC \(.*\) after \d+ bytes written/);
  t.notRegex(output(), /the CSVs are complete/);
  const [runDir] = readdirSync(path).filter((f) => f !== "filler");
  // The manifest could not be rewritten either: the one written at the start stands, marked incomplete.
  const manifest = JSON.parse(readFileSync(join(path, runDir!, "manifest.json"), "utf8"));
  t.false(manifest.complete);
  // Every CSV there is valid CSV (whole rows; an empty file where not even the header fitted).
  for (const file of readdirSync(join(path, runDir!)).filter((f) => f.endsWith(".csv"))) t.notThrows(() => readCsv(join(path, runDir!), file), file);
  t.true(readCsv(join(path, runDir!), "messages.csv").every((r) => r.message_id !== undefined && r.status !== undefined));
});
