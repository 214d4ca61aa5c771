import { existsSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import * as vega from "vega";
import { compile, version as vegaLiteVersion, type TopLevelSpec } from "vega-lite";
import { harnessWarnings } from "./warnings.ts";
import { redactText } from "./redact.ts";
import { isComparisonDir, namedValues, num, readComparison, readRun, type Row, type RunData } from "./readBack.ts";
import { type Chart, HEIGHT, runCharts, WIDTH } from "./charts.ts";
import { type ComparedRunData, comparisonCharts } from "./comparisonCharts.ts";
import type { CsvRow } from "./csvTable.ts";
import { COMPARISON, type SUMMARY } from "./tables.ts";
import { messageOf } from "../infra/errors.ts";
import { RunFolderError } from "./manifest.ts";

// report.html: the page of a run or a comparison, built from its CSVs and manifest alone
// (readBack.ts), with the charts (charts.ts, comparisonCharts.ts) rendered to inline SVG.

export const REPORT_FILE = "report.html";

/** Renders a Vega-Lite spec to an SVG string in this process (no browser, no network). */
async function renderSvg(chart: Chart): Promise<string> {
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: WIDTH,
    height: HEIGHT,
    config: { font: "system-ui, sans-serif", view: { stroke: "#ddd" } },
    ...chart.spec,
  } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const escapeHtml = (s: unknown): string =>
  String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** An HTML table of some of the rows' columns, each with its title. */
function table<R extends Partial<Row>>(rows: R[], columns: Array<[key: keyof R & string, title: string]>): string {
  if (!rows.length) return '<p class="none">none</p>';
  const head = columns.map(([, title]) => `<th>${escapeHtml(title)}</th>`).join("");
  const cell = (v: string) => `<td${v === "" || Number.isFinite(Number(v)) ? "" : ' class="text"'}>${escapeHtml(redactText(v))}</td>`;
  const body = rows.map((r) => `<tr>${columns.map(([key]) => cell(r[key] ?? "")).join("")}</tr>`).join("\n");
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

async function figures(charts: Chart[]): Promise<string> {
  const out: string[] = [];
  for (const chart of charts) {
    out.push(
      `<figure class="chart" id="${chart.id}" data-chart="${chart.id}">\n<figcaption><h3>${escapeHtml(chart.title)}</h3><p>${escapeHtml(chart.caption)}</p></figcaption>\n${await renderSvg(chart)}\n</figure>`,
    );
  }
  return out.join("\n");
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1100px; padding: 0 16px; color: #222; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { margin-top: 36px; border-bottom: 1px solid #ddd; } h3 { margin: 0; font-size: 15px; }
.banner { padding: 10px 14px; border-radius: 4px; margin: 12px 0; }
.incomplete { background: #fde2e1; border: 1px solid #d62728; } .complete { background: #e6f4ea; border: 1px solid #2ca02c; }
.warn { background: #fff4e0; border: 1px solid #ff7f0e; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; } dl.facts dt { color: #555; } dl.facts dd { margin: 0; }
figure.chart { margin: 24px 0; } figcaption p { margin: 2px 0 8px; color: #555; }
table { border-collapse: collapse; font-size: 12px; margin: 8px 0; } th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: right; }
th { background: #f4f4f4; } td:first-child, th:first-child, td.text { text-align: left; }
.none { color: #777; } ul.verdicts li { margin: 4px 0; } footer { margin-top: 40px; color: #777; font-size: 12px; }
`;

function page(title: string, body: string): string {
  // The CSP forbids every fetch: the report must be whole on its own (and an auditor can see it is).
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
<footer>Built from this folder's CSV files and manifest by <code>bridge-stress report</code>; charts by Vega-Lite ${escapeHtml(vegaLiteVersion)} and Vega ${escapeHtml(vega.version)}, rendered to SVG without a browser.</footer>
</body>
</html>
`;
}

function facts(entries: Array<[string, unknown]>): string {
  return `<dl class="facts">${entries
    .filter(([, v]) => v !== undefined && v !== "")
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join("")}</dl>`;
}

/** summary.csv's capacity, marked when it is only a lower bound. */
function capacityFact(s: Record<string, string | undefined>): string {
  if (!s.throughput_capacity) return "no stage sustained";
  return s.capacity_bound === "lower" ? `≥ ${s.throughput_capacity} (no stage failed: a lower bound)` : s.throughput_capacity;
}

function runHeader(run: RunData): string {
  const m = run.manifest;
  const s: Partial<CsvRow<typeof SUMMARY>> = run.summary ?? {};
  const leftOut = Number(s.stages_under_fault ?? 0) + Number(s.stages_harness_limited ?? 0);
  const complete = m.complete === true && s.complete !== "false";
  const banner = complete
    ? `<div class="banner complete">Complete run: every sent message ended delivered or dropped with a reason.</div>`
    : `<div class="banner incomplete"><strong>INCOMPLETE run</strong> (${escapeHtml(redactText(String(m.status ?? "unknown")))}): the figures cover what was recorded before it stopped; unfinished messages are listed as in-flight.</div>`;
  const stages = run.steps.map((row) => ({
    stage: Number(row.stage),
    offeredRate: Number(row.offered_rate),
    harnessLoopBusy: num(row.harness_loop_busy),
    machineCpu: num(row.machine_cpu),
    sendLatenessP99: num(row.send_lateness_p99_ms),
  }));
  const warn = harnessWarnings(
    stages,
    num(s.headroom),
    num(s.harness_ceiling_msgs_per_s),
    typeof m.environment?.cores === "number" ? m.environment.cores : undefined,
  )
    .map((w) => `<div class="banner warn">${escapeHtml(w.charAt(0).toUpperCase() + w.slice(1))}.</div>`)
    .join("");
  return `${banner}${warn}
<h2>Result</h2>
${facts([
  ["scenario", `${m.scenario?.name ?? s.scenario} (seed ${m.seed ?? s.seed})`],
  ["bridge", m.scenario?.config?.bridge],
  ["relayer", m.scenario?.config?.bridge === "ibc" ? m.scenario?.config?.ibc?.relayer : m.scenario?.config?.relayer],
  ["offered / delivered / dropped", `${s.offered} / ${s.delivered} / ${s.dropped}`],
  ["late / duplicates / phantom deliveries", `${s.late} / ${s.duplicates} / ${s.phantom_deliveries}`],
  ["delay p50 / p99 / max (ms)", `${s.p50_ms} / ${s.p99_ms} / ${s.max_ms}`],
  ["throughput capacity (msgs/s)", capacityFact(s)],
  ["failure threshold (msgs/s)", s.failure_threshold || "not reached"],
  ["criteria failed at the threshold", s.failed_criteria],
  ["stages left out of the capacity (under fault / harness-limited)", leftOut ? `${s.stages_under_fault} / ${s.stages_harness_limited}` : undefined],
  ["thresholds failed", s.thresholds_failed],
])}
<h2>The harness's own limits</h2>
${facts([
  ["harness ceiling (msgs/s, its busiest thread on one core)", s.harness_ceiling_msgs_per_s],
  ["harness CPU, busiest stage (share of a core)", s.harness_cpu_max],
  ["harness event loop busy, busiest stage", s.harness_loop_busy_max],
  ["machine CPU, busiest stage (share of all cores)", s.machine_cpu_max],
  ["headroom (ceiling ÷ capacity)", s.headroom],
  ["send lateness p99 (ms)", s.harness_send_lateness_p99_ms],
  ["chain observation poll (ms)", s.harness_observation_poll_ms],
  ["machine", m.environment ? `${m.environment.cores} × ${m.environment.cpuModel}, Node ${m.environment.node}` : undefined],
  ["commit", m.environment?.gitCommit],
])}`;
}

function runTables(run: RunData): string {
  const stepCols: Array<[keyof RunData["steps"][number], string]> = [
    ["stage", "stage"],
    ["offered_rate", "offered/s"],
    ["offered", "offered"],
    ["delivered", "delivered"],
    ["dropped", "dropped"],
    ["late", "late"],
    ["delivered_rate", "delivered/s"],
    ["p50_ms", "p50 ms"],
    ["p99_ms", "p99 ms"],
    ["max_ms", "max ms"],
    ["jitter_ms", "jitter ms"],
    ["harness_cpu", "harness CPU"],
    ["harness_loop_busy", "harness loop busy"],
    ["missed_liquidations", "missed liquidations"],
    ["shortfall_probability", "shortfall probability"],
    ["judged_as", "judged as"],
    ["sustainable", "sustainable"],
    ["failed_criteria", "failed criteria"],
    ["faults", "faults"],
  ];
  const drops = run.steps.flatMap((s) => namedValues(s.drop_reasons).map(([reason, count]) => ({ stage: s.stage!, reason, count })));
  return `<h2>Stages</h2>
${table(run.steps, stepCols)}
<h2>Drop reasons</h2>
${table(drops, [
  ["stage", "stage"],
  ["reason", "reason"],
  ["count", "messages"],
])}
<h2>Fault and chain events</h2>
${table(run.events, [
  ["at_ms", "at (ms)"],
  ["event", "event"],
  ["kind", "kind"],
  ["fault", "detail"],
])}
${
  run.thresholds.length
    ? `<h2>Thresholds</h2>\n${table(run.thresholds, [
        ["threshold", "threshold"],
        ["metric", "metric"],
        ["actual", "actual"],
        ["passed", "passed"],
      ])}`
    : ""
}`;
}

/** The HTML of one run's report. */
async function runPage(run: RunData): Promise<string> {
  const title = `bridge-stress: ${run.manifest.scenario?.name ?? basename(run.dir)}`;
  const body = `<h1>${escapeHtml(title)}</h1>
<p>Run <code>${escapeHtml(run.manifest.runId ?? basename(run.dir))}</code>, started ${escapeHtml(run.manifest.startedAt)}.</p>
${runHeader(run)}
<h2>Charts</h2>
${await figures(runCharts(run))}
${runTables(run)}`;
  return page(title, body);
}

async function comparisonPage(dir: string): Promise<string> {
  const { perRun, comparison } = readComparison(dir);
  // One entry per run folder, in run order (the CSV lists runs as they ran: repeat by repeat, presets in the order given).
  const listed = new Map<string, { preset: string; repeat: number }>();
  for (const r of perRun) if (!listed.has(r.run_folder!)) listed.set(r.run_folder!, { preset: r.preset!, repeat: Number(r.repeat) });
  const runs: ComparedRunData[] = [];
  for (const [folder, { preset, repeat }] of listed) runs.push({ preset, repeat, run: await readRun(join(dir, folder)) });
  const presets = [...new Set(runs.map((r) => r.preset))];
  const repeats = new Set(runs.map((r) => r.repeat)).size;
  const title = `bridge-stress comparison: ${runs[0]?.run.manifest.scenario?.name ?? basename(dir)}`;
  const incomplete = runs.filter((r) => r.run.manifest.complete !== true).map((r) => `${r.preset} (repeat ${r.repeat})`);
  const runRows = runs.map(({ preset, repeat, run }) => ({ repeat: String(repeat), preset, folder: basename(run.dir), ...run.summary }));
  const figureColumns: Array<[keyof CsvRow<typeof COMPARISON>, string]> = [
    ["stage", "stage"],
    ["metric", "metric"],
    ["unit", "unit"],
    ["other", "other"],
    ["repeats", "pairs"],
    ["messages_per_run", "messages / run"],
    ["baseline_mean", "baseline mean"],
    ["other_mean", "other mean"],
    ["difference", "difference"],
    ["sd_difference", "sd of differences"],
    ["ci_low", "CI low"],
    ["ci_high", "CI high"],
    ["ci_level", "CI level"],
    ["floor", "floor"],
    ["verdicts_in_family", "m"],
    ["p_holm", "Holm p"],
    ["outcome", "outcome"],
  ];
  const runColumns: Array<[keyof (typeof runRows)[number], string]> = [
    ["repeat", "repeat"],
    ["preset", "relayer"],
    ["folder", "folder"],
    ["offered", "offered"],
    ["delivered", "delivered"],
    ["dropped", "dropped"],
    ["throughput_capacity", "capacity/s"],
    ["headroom", "harness headroom"],
  ];
  const verdicts = comparison.map(
    (c) => `<li><strong>${escapeHtml(`${c.other} against ${c.baseline}, stage ${c.stage} ${c.metric}`)}</strong>: ${escapeHtml(c.verdict)}</li>`,
  );
  const names = presets.map((l) => `<code>${escapeHtml(l)}</code>`).join(", ");
  const links = runs.map(({ run }) => `<a href="${escapeHtml(basename(run.dir))}/${REPORT_FILE}">${escapeHtml(basename(run.dir))}/${REPORT_FILE}</a>`);
  const body = `<h1>${escapeHtml(title)}</h1>
<p>The same seeded scenario run ${repeats} times per relayer, interleaved (one run of each in turn: ${names}),
each compared with the first pair by pair; the verdicts and their method are in the README, "Comparing relayers". Each run's own report is in its folder.</p>
${incomplete.length ? `<div class="banner incomplete"><strong>INCOMPLETE</strong>: ${escapeHtml(incomplete.join(", "))} did not finish.</div>` : ""}
<h2>Verdicts</h2>
<ul class="verdicts">
${verdicts.join("\n")}
</ul>
<h3>The figures behind them (${COMPARISON.file})</h3>
${table(comparison, figureColumns)}
<h2>Charts</h2>
${await figures(comparisonCharts(runs, perRun))}
<h2>Runs</h2>
${table(runRows, runColumns)}
<p>${links.join("<br>\n")}</p>`;
  return page(title, body);
}

/**
 * Writes `report.html` into a run's folder (or a comparison's folder, with the relayers
 * overlaid) from its CSV files and manifest alone. Returns the file's path.
 */
export async function writeHtmlReport(dir: string): Promise<string> {
  const root = resolve(dir);
  if (!existsSync(root)) throw new RunFolderError(`${dir}: no such folder; give a run folder (reports/<run-id>)`);
  const isComparison = isComparisonDir(root);
  const html = isComparison ? await comparisonPage(root) : await runPage(await readRun(root));
  const path = join(root, REPORT_FILE);
  writeFileSync(path, html);
  return path;
}

/** writeHtmlReport for the end of a run or comparison: a failure is returned, not thrown (the CSVs stand without the page). */
export function tryWriteHtmlReport(dir: string): Promise<{ path: string } | { error: string }> {
  return writeHtmlReport(dir).then(
    (path) => ({ path }),
    (err: Error) => ({ error: messageOf(err) }),
  );
}

/** The chart ids a report of this folder holds (what a browser test expects to see rendered). */
export function chartIds(html: string): string[] {
  return [...html.matchAll(/data-chart="([^"]+)"/g)].map((m) => m[1]!);
}
