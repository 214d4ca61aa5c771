import test from "ava";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCsv } from "./helpers/run.ts";

// Output that cannot be written does not lose the run (a full disk is covered by src/report/output.test.ts).

const dir = mkdtempSync(join(tmpdir(), "bridge-stress-output-"));
const tiny = join(dir, "tiny.json");
writeFileSync(
  tiny,
  JSON.stringify({
    name: "tiny",
    chains: { Ethereum: { blockTimeMs: 200 }, Base: { blockTimeMs: 200 } },
    routes: [{ from: "Ethereum", to: ["Base"] }],
    stages: [{ rate: 5, duration: "2s" }],
    drain: "15s",
    senders: 1,
  }),
);

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
