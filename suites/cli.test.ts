import test from "ava";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { cli, scenarioFile } from "./helpers/run.ts";

const dir = mkdtempSync(join(tmpdir(), "bridge-stress-cli-"));
const tiny = scenarioFile(dir, "tiny", { stages: [{ rate: 5, duration: "1s" }] });

test("thresholds decide the exit code", async (t) => {
  const pass = await cli(["run", tiny, "--out", dir, "--threshold", "p99<60000", "--threshold", "drop_rate==0", "--metrics-port", "0"]);
  t.is(pass.code, 0, pass.output);
  t.regex(pass.output, /^metrics: http:\/\/127\.0\.0\.1:\d+\/metrics$/m);
  t.regex(pass.output, /threshold ok {3}p99<60000/);
  // The harness's own ceiling, measured before the load, stands next to the capacity.
  const ceiling =
    /harness ceiling ≈ (\d+) msgs\/s \(slower of main thread \(sender \+ relayer signature: \d+\/s\) and guardian signing thread \(quorum of 13 guardian signatures: \d+\/s\), one core each\): ([\d.]+)× the measured capacity/.exec(
      pass.output,
    );
  t.truthy(ceiling, pass.output);
  t.true(Number(ceiling![1]) > 0);
  // The run's folder bundles into an archive whose checksums verify with standard tools.
  const runDir = /reports: (\S+)\/ \(/.exec(pass.output)![1]!;
  const bundled = await cli(["bundle", runDir]);
  t.is(bundled.code, 0, bundled.output);
  const out = mkdtempSync(join(tmpdir(), "bridge-stress-unbundle-"));
  execFileSync("tar", ["-xzf", `${runDir}.tar.gz`, "-C", out]);
  t.regex(
    execFileSync("sha256sum", ["-c", "SHA256SUMS"], { cwd: join(out, basename(runDir)), encoding: "utf8" }),
    /messages\.csv: OK\n[\s\S]*report\.html: OK\n[\s\S]*summary\.csv: OK/,
  );
  const fail = await cli(["run", tiny, "--out", dir, "--threshold", "p99<1"]);
  t.is(fail.code, 99, fail.output);
  t.regex(fail.output, /threshold FAIL p99<1 \(actual \d+/);
  t.regex(fail.output, /1 threshold\(s\) failed: p99<1/);
});

test("a bad scenario file fails before anything starts, naming the field", async (t) => {
  const bad = join(dir, "bad.json");
  writeFileSync(bad, JSON.stringify({ routes: [{ from: "Ethereum", to: ["Base"] }], stages: [{ rate: "fast", duration: "1s" }] }));
  const { code, output } = await cli(["run", bad]);
  t.is(code, 1);
  t.regex(output, /field "stages\[0\]\.rate" is "fast"; must be a number > 0/);
  // The error's code and the README section that explains it, on the message's last line.
  t.regex(output, /^bridge-stress: .*bad\.json: field "stages\[0\]\.rate"[^\n]*\n\[scenario-invalid\] see README\.md#scenario-files$/m);
});

test("bad flags get the usage text and exit 2", async (t) => {
  // Each a CLI process of its own, started together.
  const [seed, threshold, inherited, unknown, port, bundle] = await Promise.all([
    cli(["run", "smoke", "--seed", "1.5"]),
    cli(["run", "smoke", "--threshold", "p99 < soon"]),
    cli(["run", "smoke", "--threshold", "constructor<1"]),
    cli(["fly"]),
    cli(["run", tiny, "--metrics-port", "http"]),
    cli(["bundle"]),
  ]);
  t.is(seed.code, 2);
  t.regex(seed.output, /--seed 1.5: must be an integer from 0 to 4294967295/);
  t.is(threshold.code, 2);
  t.regex(threshold.output, /--threshold "p99 < soon": must look like "p99<2000"/);
  t.is(inherited.code, 2);
  t.regex(inherited.output, /--threshold "constructor<1": unknown metric "constructor"; use one of p50/);
  t.is(unknown.code, 2);
  t.regex(unknown.output, /unknown command "fly"[\s\S]*usage: bridge-stress run/);
  t.regex(unknown.output, /^bridge-stress: unknown command "fly"\n\[usage\] see README\.md#what-npm-run-stress-does\n\nusage: /m);
  t.is(port.code, 2);
  t.regex(port.output, /--metrics-port http: must be a port from 0 to 65535/);
  t.is(bundle.code, 2);
  t.regex(bundle.output, /bundle takes one run folder/);
});
