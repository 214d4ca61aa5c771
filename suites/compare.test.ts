import test from "ava";
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parse } from "csv-parse/sync";
import { compareRelayers } from "../src/compare.ts";
import { loadScenario } from "../src/scenarios.ts";
import { cli, tempReports } from "./helpers/run.ts";
import { openReport } from "./helpers/browser.ts";

// A comparison is 6 smoke runs, each starting its own chains: past AVA's 3-minute default
// on a busy machine, so each test sets its own time-out.
const COMPARISON_MS = 20 * 60_000;

type Row = Record<string, string>;
const csv = (dir: string, file: string) => parse(readFileSync(join(dir, file)), { columns: true }) as Row[];

test.serial("--repeat: below 3 or not a whole number is a usage error naming the fix; with run it is refused", async (t) => {
  // Each a CLI process of its own, started together.
  const bads = ["2", "2.5", "many", ""];
  const [run, help, ...refused] = await Promise.all([
    cli(["run", "smoke", "--repeat", "3"]),
    cli(["--help"]),
    ...bads.map((bad) => cli(["compare", "smoke", "--relayer", "default", "--relayer", "serial", "--repeat", bad])),
  ]);
  for (const [i, bad] of bads.entries()) {
    const { code, output } = refused[i]!;
    t.is(code, 2, output);
    t.regex(output, new RegExp(`^bridge-stress: --repeat ${bad}: must be a whole number of at least 3 .* e\\.g\\. --repeat 5$`, "m"));
  }
  t.is(run.code, 2, run.output);
  t.regex(run.output, /--repeat belongs to compare/);
  t.regex(help.output, /bridge-stress compare <scenario> --relayer A --relayer B \[\.\.\.\] \[--repeat N\]/);
});

test.serial("smoke, default against serial, 3 interleaved pairs: serial is slower in stage 1's p50 and mean", async (t) => {
  t.timeout(COMPARISON_MS);
  // The smoke scenario as shipped: 5 msgs/s then 20 msgs/s, 2 s each. serial submits one delivery at a time
  // (one per 200 ms block: the block clock mines Arbitrum and Base at the same instants, so a delivery to the other
  // chain waits for the next block), so stage 1's 40 messages queue behind each other; default keeps 64 in flight.
  // 3 pairs suffice since the block clock keeps serial's stage-1 mean steady from run to run: with each anvil's own
  // timer the two chains' block offset was random, and the mean swung between ~2.3 and ~3.2 s (README, Chains).
  const compared = await compareRelayers(loadScenario("smoke"), ["default", "serial"], { outDir: tempReports(), repeat: 3 });
  const { dir, runs, comparisons } = compared;
  for (const c of comparisons) t.log(`stage ${c.stage} ${c.metric}: ${c.verdict}`);
  // Interleaved: A1 B1 A2 B2 …, each a normal run folder named by repeat and preset.
  t.deepEqual(
    runs.map((r) => `${r.repeat}${r.preset}`),
    [1, 2, 3].flatMap((i) => [`${i}default`, `${i}serial`]),
  );
  t.deepEqual(
    runs.map((r) => basename(r.dir)),
    [1, 2, 3].flatMap((i) => [`repeat${i}-A-default`, `repeat${i}-B-serial`]),
  );
  for (const { result } of runs) t.true(existsSync(join(result.runDir, "report.html")));

  const line = (stage: number, metric: string) => comparisons.find((c) => c.stage === stage && c.metric === metric)!;
  for (const metric of ["p50", "mean"]) {
    t.like(line(1, metric), { outcome: "different", baseline: "default", other: "serial", repeats: 3, family: 6 });
    t.true(line(1, metric).ciLow! > line(1, metric).floor, "the whole interval is above the 200 ms floor");
    const sentence = `^serial's ${metric} delay is \\d+ ms higher than default's: mean of 3 paired differences, 99\\.17 % CI \\[\\d+, \\d+\\] ms, `;
    t.regex(line(1, metric).verdict, new RegExp(`${sentence}wholly beyond the ±200 ms floor; Holm-adjusted p [=<] [\\d.]+`));
  }
  // 10 and 40 messages a stage: no p99 verdict (needs 368), and those lines are not in the family of 6.
  for (const stage of [0, 1]) t.is(line(stage, "p99").verdict, `no verdict: p99 needs ≥ 368 messages per run, stage has ${stage === 0 ? 10 : 40}`);

  const rows = csv(dir, "comparison.csv");
  t.deepEqual(
    rows.map((r) => `${r.stage} ${r.metric}`),
    ["0 delivered_share", "0 p50", "0 p99", "0 mean", "1 delivered_share", "1 p50", "1 p99", "1 mean"],
  );
  t.is(rows[5]!.verdict, line(1, "p50").verdict);
  const perRun = csv(dir, "comparison-runs.csv");
  t.is(perRun.length, 6 * 2 * 4);
  // d̄ recomputed from the per-run rows.
  const value = (preset: string, repeat: number) =>
    Number(perRun.find((r) => r.preset === preset && r.repeat === `${repeat}` && r.stage === "1" && r.metric === "p50")!.value);
  const d = [1, 2, 3].map((i) => value("serial", i) - value("default", i));
  t.true(Math.abs(d.reduce((a, b) => a + b, 0) / 3 - line(1, "p50").difference!) < 0.01);

  // The comparison's report overlays the presets and renders in Chromium.
  t.true("path" in compared.html, JSON.stringify(compared.html));
  const page = await openReport(join(dir, "report.html"), "report-compare");
  t.deepEqual(page.consoleErrors, []);
  t.deepEqual(page.requests, []);
  t.deepEqual(
    page.charts.map((c) => c.id),
    ["compare-p50", "compare-p99", "compare-delivered", "compare-cdf"],
  );
  for (const chart of page.charts) t.true(chart.marks > 0 && chart.width > 300, `${chart.id}: ${JSON.stringify(chart)}`);
  t.true(page.text.includes(line(1, "p50").verdict), "the verdicts are in the report");
  const html = readFileSync(join(dir, "report.html"), "utf8");
  for (const id of ["compare-p50", "compare-cdf"]) {
    const svg = html.slice(html.indexOf(`data-chart="${id}"`));
    t.regex(svg.slice(0, svg.indexOf("</figure>")), /default[\s\S]*serial/);
  }
});

test.serial("smoke, default against default, 3 interleaved pairs (the CLI): no significant difference anywhere", async (t) => {
  t.timeout(COMPARISON_MS);
  const out = tempReports();
  const { code, output } = await cli(["compare", "smoke", "--relayer", "default", "--relayer", "default", "--repeat", "3", "--out", out]);
  t.is(code, 0, output);
  const verdicts = output.split("\n").filter((l) => /^stage \d /.test(l));
  t.log(verdicts.join("\n"));
  t.regex(output, /^default #2 against default #1: 3 interleaved pairs of runs, 6 verdicts \(family-wise α = 0\.05\)$/m);
  t.is(verdicts.length, 8);
  for (const v of verdicts) t.regex(v, /^stage \d (delivered_share|p50|mean): no significant difference: |^stage \d p99: no verdict: /);
  const dir = /^reports: (\S+)\/ \(/m.exec(output)![1]!;
  const perStage = ["no difference", "no difference", "no verdict", "no difference"];
  t.deepEqual(
    csv(dir, "comparison.csv").map((r) => r.outcome),
    [...perStage, ...perStage],
  );
});
