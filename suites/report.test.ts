import test from "ava";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { chartIds } from "../src/report/html.ts";
import { openReport } from "./helpers/browser.ts";
import { runLocal, tempReports } from "./helpers/run.ts";

// The HTML report of a run with a fault: built at the end of the run, opened in real
// headless Chromium (Debian's chromium), rebuilt from the CSVs alone by the CLI.
const run = runLocal({
  name: "report-with-fault",
  seed: 61,
  stages: [
    { rate: 10, duration: "2s" },
    { rate: 20, duration: "2s" },
    { rate: 20, duration: "2s" },
  ],
  drain: "20s",
  faults: [{ at: "2s", for: "2s", kind: "rpc-latency", target: "Base", ms: 600 }],
});

const cli = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], { encoding: "utf8" });

test.serial("every run writes report.html; it renders in Chromium with every chart, no console error and no request", async (t) => {
  const { result, survivors } = await run;
  t.deepEqual(survivors, []);
  t.true("path" in result.html, `report not built: ${"error" in result.html ? result.html.error : ""}`);
  const htmlPath = join(result.runDir, "report.html");
  const html = readFileSync(htmlPath, "utf8");
  const expected = ["delay-percentiles", "delivered-vs-offered", "drops-and-late", "hops", "in-flight", "delay-over-time", "harness-load", "liquidation-risk"];
  t.deepEqual(chartIds(html), expected);

  const page = await openReport(htmlPath, "report-with-fault");
  t.deepEqual(page.consoleErrors, []);
  t.deepEqual(page.requests, [], "a self-contained report fetches nothing");
  t.deepEqual(
    page.charts.map((c) => c.id),
    expected,
  );
  for (const chart of page.charts) {
    t.true(chart.width > 300 && chart.height > 150, `${chart.id} laid out at ${chart.width}×${chart.height}`);
    t.true(chart.marks > 0, `${chart.id} drew no marks`);
  }
  t.true(statSync(page.screenshot).size > 20_000, `screenshot ${page.screenshot}`);
  t.log(`screenshot: ${page.screenshot}`);

  // What the page says matches the run: complete, the fault on record, the harness's limits next to the result.
  t.regex(page.text, /Complete run/);
  t.regex(page.text, /rpc-latency/);
  t.regex(page.text, /harness ceiling/);
  t.regex(
    page.text,
    new RegExp(`offered / delivered / dropped\\s+${result.stats.total.offered} / ${result.stats.total.delivered} / ${result.stats.total.dropped}`),
  );
  // The fault window is shaded on the time charts: a rect mark in the in-flight chart's SVG.
  const inFlight = html.slice(html.indexOf('data-chart="in-flight"'), html.indexOf('data-chart="delay-over-time"'));
  t.regex(inFlight, /class="mark-rect[^"]*"[^>]*>\s*<path/);
});

test.serial("bridge-stress report rebuilds the same report from the CSVs and manifest alone", async (t) => {
  const { result } = await run;
  const copy = join(tempReports(), "copied-run");
  mkdirSync(copy);
  for (const f of readdirSync(result.runDir).filter((f) => f.endsWith(".csv") || f === "manifest.json")) copyFileSync(join(result.runDir, f), join(copy, f));
  t.false(existsSync(join(copy, "report.html")));
  const out = cli("report", copy);
  t.is(out.status, 0, out.stderr);
  t.regex(out.stdout, /report: .*copied-run\/report\.html/);
  t.is(readFileSync(join(copy, "report.html"), "utf8"), readFileSync(join(result.runDir, "report.html"), "utf8"));
});

test("bridge-stress report on a folder that is not a run names the folder and what to give", (t) => {
  const missing = cli("report", "/nonexistent/run");
  t.is(missing.status, 1);
  t.regex(missing.stderr, /\/nonexistent\/run: no such folder; give a run folder/);
  const empty = cli("report", tempReports());
  t.is(empty.status, 1);
  t.regex(empty.stderr, /no manifest\.json here; give the folder of one run/);
});
