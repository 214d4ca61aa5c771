import test from "ava";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { compareRelayers } from "../src/compare.ts";
import { validateScenario } from "../src/load/scenario.ts";
import { tempReports } from "./helpers/run.ts";
import { openReport } from "./helpers/browser.ts";

const scenario = (name: string, rate: number) =>
  validateScenario(
    {
      name,
      seed: 41,
      chains: { Ethereum: { blockTimeMs: 200 }, Base: { blockTimeMs: 200 } },
      routes: [{ from: "Ethereum", to: ["Base"] }],
      senders: 2,
      stages: [{ rate, duration: "3s" }],
      drain: "30s",
    },
    name,
  );

test.serial("two presets of different concurrency: the faster one is named, with an interval that excludes 0", async (t) => {
  // serial submits one delivery at a time (about one per 200 ms block); default keeps 64 in flight.
  const compared = await compareRelayers(scenario("compare-concurrency", 15), ["serial", "default"], { outDir: tempReports() });
  const { dir, comparisons, runs } = compared;
  t.is(runs.length, 2);
  for (const { result } of runs) t.is(result.stats.total.dropped, 0);
  const p50 = comparisons.find((c) => c.stage === 0 && c.metric === "p50")!;
  t.log(p50.verdict);
  t.true(p50.ciHigh! < 0, "default's p50 is lower, and the whole interval is below 0");
  t.regex(p50.verdict, /^default's p50 is \d+ ms lower than serial's, 95 % CI \[-\d+, -\d+\] ms$/);
  const rows = parse(readFileSync(join(dir, "comparison.csv")), { columns: true }) as Array<Record<string, string>>;
  t.deepEqual(rows.map((r) => r.metric), ["p50", "p99", "mean"]);
  t.is(rows[0]!.verdict, p50.verdict);

  // The comparison's report overlays the two relayers and renders in Chromium.
  t.true("path" in compared.html, JSON.stringify(compared.html));
  const page = await openReport(join(dir, "report.html"), "report-compare");
  t.deepEqual(page.consoleErrors, []);
  t.deepEqual(page.requests, []);
  t.deepEqual(page.charts.map((c) => c.id), ["compare-p50", "compare-p99", "compare-delivered", "compare-cdf"]);
  for (const chart of page.charts) t.true(chart.marks > 0 && chart.width > 300, `${chart.id}: ${JSON.stringify(chart)}`);
  t.true(page.text.includes(p50.verdict), "the verdicts are in the report");
  // One line per relayer in the overlays: both names in the legend of every chart.
  const html = readFileSync(join(dir, "report.html"), "utf8");
  for (const id of ["compare-p50", "compare-cdf"]) {
    const svg = html.slice(html.indexOf(`data-chart="${id}"`));
    t.regex(svg.slice(0, svg.indexOf("</figure>")), /serial[\s\S]*default|default[\s\S]*serial/);
  }
  for (const { result } of runs) t.true(existsSync(join(result.runDir, "report.html")));
});

test.serial("two identical presets: no significant difference", async (t) => {
  const { comparisons } = await compareRelayers(scenario("compare-identical", 10), ["default", "default"], { outDir: tempReports() });
  const p50 = comparisons.find((c) => c.stage === 0 && c.metric === "p50")!;
  t.log(p50.verdict);
  t.regex(p50.verdict, /^no significant difference/);
});
