import test from "ava";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleRun } from "./bundle.ts";

function fakeRun(): string {
  const run = join(mkdtempSync(join(tmpdir(), "bundle-")), "2026-11-25T00-00-00-000Z-smoke-seed7");
  mkdirSync(run);
  writeFileSync(join(run, "manifest.json"), '{"runId":"x"}\n');
  writeFileSync(join(run, "messages.csv"), "message_id,status\n1,delivered\n");
  writeFileSync(join(run, "steps.csv"), "stage\n0\n");
  writeFileSync(join(run, "relayer-checkpoint.json"), "{}");
  return run;
}

test("a bundle unpacks with tar and its checksums verify with sha256sum -c", (t) => {
  const run = fakeRun();
  const { archive, files } = bundleRun(run);
  t.deepEqual(files, ["manifest.json", "messages.csv", "steps.csv", "SHA256SUMS"], "no relayer checkpoint");
  const out = mkdtempSync(join(tmpdir(), "unbundle-"));
  execFileSync("tar", ["-xzf", archive, "-C", out]);
  const dir = join(out, "2026-11-25T00-00-00-000Z-smoke-seed7");
  t.is(readFileSync(join(dir, "messages.csv"), "utf8"), "message_id,status\n1,delivered\n");
  t.regex(execFileSync("sha256sum", ["-c", "SHA256SUMS"], { cwd: dir, encoding: "utf8" }), /messages\.csv: OK/);
  // A changed file fails the check.
  writeFileSync(join(dir, "steps.csv"), "stage\n1\n");
  t.throws(() => execFileSync("sha256sum", ["-c", "SHA256SUMS"], { cwd: dir, stdio: "pipe" }));
});

test("bundling the same files twice gives the same archive; a folder without a manifest is refused", (t) => {
  const run = fakeRun();
  const first = readFileSync(bundleRun(run).archive);
  t.deepEqual(readFileSync(bundleRun(run).archive), first);
  t.throws(() => bundleRun(tmpdir()), { message: /no manifest\.json here; give the folder of one run/ });
});
