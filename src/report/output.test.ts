import test from "ava";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { validateScenario } from "../scenarios.ts";
import { Ledger } from "../measure/ledger.ts";
import { now } from "../infra/clock.ts";
import { RunRecorder, writeManifest, type ReportInput } from "./runReport.ts";

// A report file that cannot be written (disk full, a file size limit) must not lose the run:
// the error names the file and how much of it was written, what was written stays valid CSV,
// the other files are written, and the manifest says the run's report is incomplete.

const csvModule = fileURLToPath(new URL("./csv.ts", import.meta.url));

test("a CSV cut short by a write error keeps its whole rows only, and says which file and how many bytes", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "bridge-stress-output-"));
  const script = join(dir, "write.mjs");
  writeFileSync(
    script,
    [
      `import { CsvStream } from ${JSON.stringify(csvModule)};`,
      `const csv = new CsvStream(process.argv[2], { columns: ["id", "name", "pad"], row: (i) => [String(i), "row-" + i, "x".repeat(40)] });`,
      "for (let i = 0; i < 20000; i++) csv.write(i);",
      "await csv.close();",
      "console.log(JSON.stringify({ failure: csv.failure }));",
    ].join("\n"),
  );
  const file = join(dir, "rows.csv");
  // A file size limit (100 blocks) stands in for a full disk without mounting anything: past it a
  // write is short, then fails with EFBIG (Node ignores SIGXFSZ), as a write to a full disk fails with ENOSPC.
  const out = execFileSync("sh", ["-c", 'ulimit -f 100 && exec "$0" --import tsx "$1" "$2"', process.execPath, script, file], { encoding: "utf8" });
  const { failure } = JSON.parse(out) as { failure: string };
  const said = /^rows\.csv: EFBIG \(.*\) after (\d+) bytes written; cut back to its first (\d+) bytes, whole rows only; later rows are not in it$/.exec(
    failure,
  );
  t.truthy(said, failure);
  const size = statSync(file).size;
  t.is(size, Number(said![2]));
  t.true(size < Number(said![1]));
  const rows = parse(readFileSync(file), { columns: true }) as Array<Record<string, string>>;
  t.true(rows.length > 100);
  t.deepEqual(
    rows.map((r) => Number(r.id)),
    [...rows.keys()],
  );
  t.true(rows.every((r) => r.pad === "x".repeat(40)));
});

function input(runDir: string): ReportInput {
  const scenario = validateScenario({ routes: [{ from: "Ethereum", to: ["Base"] }], stages: [{ rate: 5, duration: "2s" }] }, "output");
  return { runId: "output", runDir, scenario, startedAt: new Date(), endpoints: {}, limits: { observationPollMs: 20 } };
}

test("messages.csv on a full disk: the run's other files and its manifest are written, marked incomplete", async (t) => {
  const runDir = mkdtempSync(join(tmpdir(), "bridge-stress-output-"));
  symlinkSync("/dev/full", join(runDir, "messages.csv"));
  writeManifest(input(runDir), "running", false);
  const ledger = new Ledger();
  const recorder = new RunRecorder(input(runDir), ledger);
  for (let id = 0; id < 10; id++) {
    ledger.plan({ id, kind: "order", sourceChain: "Ethereum", destinationChain: "Base", stage: 0, intendedAt: id * 200 });
    ledger.sent(id, now(), "0x01");
    ledger.delivered(id, now(), "0x02", false);
  }
  const report = await recorder.finish("complete", true);
  t.is(report.outputErrors.length, 1);
  t.regex(report.outputErrors[0]!, /^messages\.csv: ENOSPC \(.*no space left on device.*\) after 0 bytes written; later rows are not in it$/);
  t.regex("error" in report.html ? report.html.error : "", /not built, the report's files are incomplete: messages\.csv: ENOSPC/);
  const manifest = JSON.parse(readFileSync(join(runDir, "manifest.json"), "utf8"));
  t.false(manifest.complete);
  t.regex(manifest.status, /^complete; report incomplete: messages\.csv: ENOSPC/);
  t.deepEqual(manifest.outputErrors, report.outputErrors);
  t.false("messages.csv" in manifest.sha256);
  t.true("steps.csv" in manifest.sha256);
  const [summary] = parse(readFileSync(join(runDir, "summary.csv")), { columns: true }) as Array<Record<string, string>>;
  t.is(summary!.complete, "false");
  t.is(summary!.delivered, "10");
});

test("a manifest that cannot be written names itself and leaves the previous one whole", (t) => {
  const runDir = mkdtempSync(join(tmpdir(), "bridge-stress-output-"));
  writeManifest(input(runDir), "running", false);
  symlinkSync("/dev/full", join(runDir, "manifest.json.tmp"));
  t.throws(() => writeManifest(input(runDir), "complete", true), {
    message: /^manifest\.json: ENOSPC \(.*\); .*manifest\.json is left as it was\n\[output-not-written\] see README\.md#what-npm-run-stress-does$/,
  });
  const manifest = JSON.parse(readFileSync(join(runDir, "manifest.json"), "utf8"));
  t.is(manifest.status, "running");
  t.false(manifest.complete);
});
