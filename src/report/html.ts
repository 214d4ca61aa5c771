import { createReadStream, existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parse } from "csv-parse/sync";
import { parse as parseStream } from "csv-parse";
import * as vega from "vega";
import { compile, version as vegaLiteVersion, type TopLevelSpec } from "vega-lite";
import { seededRandom } from "../infra/random.ts";
import { BUSY_HARNESS_LOOP } from "../measure/stats.ts";
import { HOPS } from "../measure/hops.ts";
import { SATURATED_MACHINE } from "../measure/machineCpu.ts";
import { MANIFEST } from "./manifest.ts";
import { harnessWarnings } from "./warnings.ts";

import { redactUrl } from "./redact.ts";

export const REPORT_FILE = "report.html";

/** Messages drawn in the per-message delay chart at most (a seeded uniform sample beyond that). */
const MAX_POINTS = 4000;

type Row = Record<string, string>;

/** One chart of a report: a Vega-Lite spec rendered to SVG, with what it shows. */
interface Chart {
  id: string;
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

/** A run's folder read back: only its CSVs and manifest (what `bridge-stress report` rebuilds from). */
interface RunData {
  dir: string;
  manifest: Record<string, any>;
  summary: Row | undefined;
  steps: Row[];
  hops: Row[];
  timeline: Row[];
  events: Row[];
  thresholds: Row[];
  messages: Row[];
  messageCount: number;
}

const num = (v: string | undefined): number | undefined => (v === undefined || v === "" ? undefined : Number(v));

function readCsv(dir: string, file: string): Row[] {
  const path = join(dir, file);
  return existsSync(path) ? (parse(readFileSync(path), { columns: true }) as Row[]) : [];
}

/** messages.csv can hold millions of rows: streamed, with a seeded reservoir sample kept. */
async function sampleMessages(dir: string): Promise<{ rows: Row[]; count: number }> {
  const path = join(dir, "messages.csv");
  if (!existsSync(path)) return { rows: [], count: 0 };
  const random = seededRandom(1);
  const rows: Row[] = [];
  let count = 0;
  for await (const row of createReadStream(path).pipe(parseStream({ columns: true })) as AsyncIterable<Row>) {
    count++;
    if (rows.length < MAX_POINTS) rows.push(row);
    else {
      const j = Math.floor(random() * count);
      if (j < MAX_POINTS) rows[j] = row;
    }
  }
  return { rows, count };
}

async function readRun(dir: string): Promise<RunData> {
  if (!existsSync(join(dir, MANIFEST))) throw new Error(`${dir}: no ${MANIFEST} here; give the folder of one run (reports/<run-id>) or of a comparison`);
  const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), "utf8")) as Record<string, any>;
  const { rows, count } = await sampleMessages(dir);
  return {
    dir,
    manifest,
    summary: readCsv(dir, "summary.csv")[0],
    steps: readCsv(dir, "steps.csv"),
    hops: readCsv(dir, "hops.csv"),
    timeline: readCsv(dir, "timeline.csv"),
    events: readCsv(dir, "events.csv"),
    thresholds: readCsv(dir, "thresholds.csv"),
    messages: rows,
    messageCount: count,
  };
}

const stageLabel = (row: Row): string => `S${row.stage} · ${row.offered_rate}/s`;
const stageSort = (steps: Row[]): string[] => steps.map(stageLabel);

const WIDTH = 620;
const HEIGHT = 240;

/** The x axis every per-stage chart shares: stages in order, labelled with their offered rate. */
function stageAxis(steps: Row[]) {
  return { field: "stage_label", type: "ordinal", sort: stageSort(steps), title: "stage · offered rate", axis: { labelAngle: 0 } } as const;
}

/** Lines with points over the stages, one per `series` value. */
function stageLines(steps: Row[], values: object[], y: Record<string, unknown>, series: { field: string; sort: string[] }): TopLevelSpec {
  return {
    data: { values },
    mark: { type: "line", point: true },
    encoding: { x: stageAxis(steps), y: { type: "quantitative", ...y }, color: { type: "nominal", ...series } },
  } as TopLevelSpec;
}

/** Fault windows (fault-start … fault-end, chain-halted … chain-resumed) and momentary faults, in s from the run's start. */
function faultWindows(
  events: Row[],
  endS: number,
): { windows: Array<{ from: number; to: number; label: string }>; moments: Array<{ at: number; label: string }> } {
  const windows: Array<{ from: number; to: number; label: string }> = [];
  const moments: Array<{ at: number; label: string }> = [];
  const open = new Map<string, { from: number; kind: string }>();
  let halted: number | undefined;
  for (const e of events) {
    const at = Number(e.at_ms) / 1000;
    const label = redactText(e.fault ?? "");
    // A fault's start and end share its label (the text before ": detail"); two faults of one kind stay apart.
    const id = (e.fault ?? "").split(": ")[0]!;
    if (e.event === "fault-start") open.set(id, { from: at, kind: e.kind! });
    else if (e.event === "fault-end") {
      const start = open.get(id);
      open.delete(id);
      windows.push({ from: start?.from ?? 0, to: at, label: e.kind! });
    } else if (e.event === "chain-halted") halted = at;
    else if (e.event === "chain-resumed") {
      windows.push({ from: halted ?? 0, to: at, label: "chain halted" });
      halted = undefined;
    } else if (e.event === "fault") moments.push({ at, label });
  }
  for (const { from, kind } of open.values()) windows.push({ from, to: endS, label: kind });
  if (halted !== undefined) windows.push({ from: halted, to: endS, label: "chain halted" });
  return { windows, moments };
}

/** Layers that shade fault windows and mark momentary faults on a chart whose x is seconds. */
function faultLayers(run: RunData, endS: number): any[] {
  const { windows, moments } = faultWindows(run.events, endS);
  const layers: any[] = [];
  if (windows.length) {
    layers.push({
      data: { values: windows },
      mark: { type: "rect", opacity: 0.18 },
      encoding: {
        x: { field: "from", type: "quantitative" },
        x2: { field: "to" },
        color: { field: "label", type: "nominal", title: "fault window", scale: { scheme: "reds" } },
      },
    });
  }
  if (moments.length) {
    layers.push({
      data: { values: moments },
      mark: { type: "rule", color: "#b30000", strokeDash: [4, 3], strokeWidth: 1.5 },
      encoding: { x: { field: "at", type: "quantitative" } },
    });
  }
  return layers;
}

function runCharts(run: RunData): Chart[] {
  const charts: Chart[] = [];
  const steps = run.steps;
  const stageX = stageAxis(steps);

  const percentiles = steps.flatMap((s) =>
    (["p50_ms", "p90_ms", "p99_ms", "max_ms"] as const).flatMap((key) => {
      const value = num(s[key]);
      return value && value > 0 ? [{ stage_label: stageLabel(s), percentile: key.replace("_ms", ""), delay_ms: value }] : [];
    }),
  );
  charts.push({
    id: "delay-percentiles",
    title: "Delay percentiles against offered rate",
    caption: "End-to-end delay from each message's intended send time (no coordinated omission), per stage; log scale.",
    spec: stageLines(
      steps,
      percentiles,
      { field: "delay_ms", scale: { type: "log" }, title: "delay (ms)" },
      { field: "percentile", sort: ["p50", "p90", "p99", "max"] },
    ),
  });

  const rates = steps.flatMap((s) => [
    { stage_label: stageLabel(s), series: "offered", rate: Number(s.offered_rate) },
    { stage_label: stageLabel(s), series: "delivered", rate: Number(s.delivered_rate) },
  ]);
  charts.push({
    id: "delivered-vs-offered",
    title: "Delivered against offered rate",
    caption:
      "Messages per second offered by the schedule and delivered on the destination, per stage. Delivered below offered means a backlog: the throughput capacity is reached.",
    spec: stageLines(steps, rates, { field: "rate", title: "messages / s" }, { field: "series", sort: ["offered", "delivered"] }),
  });

  const outcomes = steps.flatMap((s) => [
    { stage_label: stageLabel(s), outcome: "dropped", count: Number(s.dropped) },
    { stage_label: stageLabel(s), outcome: "late", count: Number(s.late) },
    { stage_label: stageLabel(s), outcome: "duplicate", count: Number(s.duplicates) },
  ]);
  charts.push({
    id: "drops-and-late",
    title: "Drops and late deliveries per stage",
    caption: "Dropped messages (reasons in the table below), deliveries after the trigger's deadline, and duplicate deliveries.",
    spec: {
      data: { values: outcomes },
      mark: "bar",
      encoding: {
        x: stageX,
        y: {
          field: "count",
          type: "quantitative",
          stack: "zero",
          title: "messages",
          scale: { domainMin: 0, domainMax: 1 },
          axis: { format: "d", tickMinStep: 1 },
        },
        color: { field: "outcome", type: "nominal", sort: ["dropped", "late", "duplicate"], scale: { range: ["#d62728", "#ff7f0e", "#9467bd"] } },
      },
    },
  });

  const hopOrder = Object.keys(HOPS);
  const hops = run.hops.filter((h) => num(h.mean_ms) !== undefined && Number(h.count) > 0);
  const labelOf = new Map(steps.map((s) => [s.stage, stageLabel(s)]));
  charts.push({
    id: "hops",
    title: "Where the time goes: per-hop breakdown",
    caption:
      "Mean time of each hop of a message's path, stacked per stage. Each delivered message's hops add up to its delay, so where a stage's messages report the same hops " +
      "(one bridge and relayer) the stack is the stage's mean delay; IBC's acknowledgement comes after the delivery.",
    spec: {
      data: {
        values: hops.map((h) => ({
          stage_label: labelOf.get(h.stage) ?? `S${h.stage}`,
          hop: h.hop,
          mean_ms: Number(h.mean_ms),
          order: hopOrder.indexOf(h.hop!),
        })),
      },
      mark: "bar",
      encoding: {
        x: stageX,
        y: { field: "mean_ms", type: "quantitative", stack: "zero", title: "mean (ms)" },
        color: { field: "hop", type: "nominal", sort: hopOrder },
        order: { field: "order", type: "quantitative" },
      },
    },
  });

  const timeline = run.timeline.map((r) => ({ at_s: Number(r.at_s), in_flight: Number(r.in_flight) }));
  const endS = Math.max(1, ...timeline.map((r) => r.at_s), ...run.messages.map((m) => (num(m.intended_at_ms) ?? 0) / 1000));
  const faults = faultLayers(run, endS);
  charts.push({
    id: "in-flight",
    title: "Messages in flight over time",
    caption:
      "Sent and not yet delivered or dropped. A line that keeps rising means the bridge falls behind; shaded: fault windows; dashed: momentary faults (a reorg).",
    spec: {
      layer: [
        ...faults,
        {
          data: { values: timeline },
          mark: { type: "line", color: "#1f77b4" },
          encoding: {
            x: { field: "at_s", type: "quantitative", title: "time since start (s)" },
            y: { field: "in_flight", type: "quantitative", title: "in flight" },
          },
        },
      ],
      resolve: { scale: { color: "independent" } },
    },
  });

  const points = run.messages.flatMap((m): Array<{ at_s: number; delay_ms?: number; outcome: string }> => {
    const at = num(m.intended_at_ms);
    if (at === undefined) return [];
    if (m.status === "delivered") return [{ at_s: at / 1000, delay_ms: Math.max(1, Number(m.delay_ms)), outcome: m.late === "true" ? "late" : "on time" }];
    return [{ at_s: at / 1000, outcome: m.status === "dropped" ? "dropped" : m.status }];
  });
  const top = Math.max(1, ...points.map((p) => p.delay_ms ?? 0)) * 1.5;
  for (const p of points) p.delay_ms ??= top;
  const sampled = run.messageCount > run.messages.length ? ` A seeded sample of ${run.messages.length} of ${run.messageCount} messages.` : "";
  charts.push({
    id: "delay-over-time",
    title: "Delay of each message over time",
    caption: `Each message at its intended send time; dropped and unfinished messages drawn at the top. Shaded: fault windows.${sampled}`,
    spec: {
      layer: [
        ...faults,
        {
          data: { values: points },
          mark: { type: "point", filled: true, size: 12, opacity: 0.6 },
          encoding: {
            x: { field: "at_s", type: "quantitative", title: "intended send (s since start)" },
            y: { field: "delay_ms", type: "quantitative", scale: { type: "log" }, title: "delay (ms)" },
            color: {
              field: "outcome",
              type: "nominal",
              title: "message",
              scale: { domain: ["on time", "late", "dropped", "in-flight"], range: ["#1f77b4", "#ff7f0e", "#d62728", "#7f7f7f"] },
            },
          },
        },
      ],
      resolve: { scale: { color: "independent" } },
    },
  });

  const load = steps.flatMap((s) => [
    ...(num(s.harness_loop_busy) === undefined ? [] : [{ stage_label: stageLabel(s), measure: "event loop busy", share: Number(s.harness_loop_busy) }]),
    ...(num(s.harness_cpu) === undefined ? [] : [{ stage_label: stageLabel(s), measure: "CPU", share: Number(s.harness_cpu) }]),
    ...(num(s.machine_cpu) === undefined ? [] : [{ stage_label: stageLabel(s), measure: "machine, all cores", share: Number(s.machine_cpu) }]),
  ]);
  if (load.length) {
    charts.push({
      id: "harness-load",
      title: "The harness's own load per stage",
      caption: `How busy the harness process was while it measured each stage: its event loop (share of the stage) and its CPU (1 = one core); and the whole machine (share of all its cores, chains included). At ${BUSY_HARNESS_LOOP} (dashed) or more of its event loop busy, a stage's result may be the harness's limit rather than the bridge's; with the machine at ${SATURATED_MACHINE} or more, it is this machine's limit.`,
      spec: {
        layer: [
          {
            data: { values: load },
            mark: "bar",
            encoding: {
              x: stageX,
              xOffset: { field: "measure", type: "nominal" },
              y: { field: "share", type: "quantitative", title: "share", scale: { domainMin: 0, domainMax: 1 } },
              color: { field: "measure", type: "nominal", sort: ["event loop busy", "CPU", "machine, all cores"] },
            },
          },
          {
            data: { values: [{ y: BUSY_HARNESS_LOOP }] },
            mark: { type: "rule", strokeDash: [6, 4], color: "#b30000" },
            encoding: { y: { field: "y", type: "quantitative" } },
          },
        ],
      },
    });
  }

  const risk = steps.filter((s) => num(s.shortfall_probability) !== undefined);
  if (risk.length) {
    const floor = 1e-12;
    const outcomes = risk.flatMap((s) => [
      {
        stage_label: stageLabel(s),
        outcome: "on time",
        order: 0,
        count: Number(s.liquidation_triggers) - Number(s.missed_liquidations) - Number(s.late_liquidations),
      },
      { stage_label: stageLabel(s), outcome: "late", order: 1, count: Number(s.late_liquidations) },
      { stage_label: stageLabel(s), outcome: "missed (dropped)", order: 2, count: Number(s.missed_liquidations) },
    ]);
    charts.push({
      id: "liquidation-risk",
      title: "Liquidation risk per stage",
      caption:
        `Left: shortfall probability — the chance that one of the stage's liquidation triggers ends in bad debt: the price moves past the maintenance margin ` +
        `during its delay, or it is never delivered (model in the README; log scale, values at or below ${floor} drawn at ${floor}). ` +
        "Right: the stage's liquidation triggers, delivered on time, delivered after their deadline, or dropped (missed liquidations).",
      spec: {
        hconcat: [
          {
            width: WIDTH / 2 - 40,
            height: HEIGHT,
            data: { values: risk.map((s) => ({ stage_label: stageLabel(s), shortfall: Math.max(floor, Number(s.shortfall_probability)) })) },
            mark: { type: "point", filled: true, size: 80, color: "#8c564b" },
            encoding: {
              x: stageX,
              y: {
                field: "shortfall",
                type: "quantitative",
                scale: { type: "log", domain: [floor, 1], clamp: true },
                title: "shortfall probability",
                axis: { format: ".0e" },
              },
            },
          },
          {
            width: WIDTH / 2 - 40,
            height: HEIGHT,
            data: { values: outcomes },
            mark: "bar",
            encoding: {
              x: stageX,
              y: { field: "count", type: "quantitative", stack: "zero", title: "liquidation triggers", axis: { format: "d", tickMinStep: 1 } },
              color: { field: "outcome", type: "nominal", sort: ["on time", "late", "missed (dropped)"], scale: { range: ["#2ca02c", "#ff7f0e", "#d62728"] } },
              order: { field: "order", type: "quantitative" },
            },
          },
        ],
      } as any,
    });
  }
  return charts;
}

/** A comparison's runs: which preset and repeat each folder holds (from comparison-runs.csv), with the folder read back. */
interface ComparedRunData {
  preset: string;
  repeat: number;
  run: RunData;
}

/** CDF points drawn per preset at most (evenly spaced ranks of its pooled, sampled messages). */
const CENSORED = "dropped messages counted as delays of at least the drain; log scale.";
const MAX_CDF_POINTS = 400;

/**
 * Overlays of a comparison's presets. The per-stage charts draw every run's own statistic
 * (comparison-runs.csv: the numbers the verdicts use, drops censored) as a point and the mean
 * over the repeats as a line; the delay distribution pools all runs of a preset.
 */
function comparisonCharts(runs: ComparedRunData[], perRun: Row[]): Chart[] {
  const steps = runs[0]?.run.steps ?? [];
  const labelOf = new Map(steps.map((s) => [s.stage, stageLabel(s)]));
  const presets = [...new Set(runs.map((r) => r.preset))];
  const perStage = (id: string, metric: string, name: string, axis: string, caption: string, log: boolean, format?: string): Chart => {
    const points = perRun
      .filter((r) => r.metric === metric && num(r.value) !== undefined)
      .map((r) => ({
        preset: r.preset!,
        repeat: Number(r.repeat),
        stage_label: labelOf.get(r.stage!) ?? `S${r.stage}`,
        value: log ? Math.max(1, Number(r.value)) : Number(r.value),
      }));
    const groups = new Map<string, typeof points>();
    for (const p of points) {
      const key = `${p.preset}\u0000${p.stage_label}`;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key)!.push(p);
    }
    const means = [...groups.values()].map((g) => ({ ...g[0]!, value: g.reduce((a, p) => a + p.value, 0) / g.length }));
    const y = { field: "value", type: "quantitative", title: axis, ...(log ? { scale: { type: "log" } } : {}), ...(format ? { axis: { format } } : {}) };
    const color = { field: "preset", type: "nominal", sort: presets, title: "relayer" };
    return {
      id,
      title: `${name} per stage, relayers overlaid`,
      caption: `${caption} Points: each run; line: the mean over the repeats.`,
      spec: {
        layer: [
          { data: { values: means }, mark: { type: "line" }, encoding: { x: stageAxis(steps), y, color } },
          { data: { values: points }, mark: { type: "point", filled: true, opacity: 0.7 }, encoding: { x: stageAxis(steps), y, color } },
        ],
      } as TopLevelSpec,
    };
  };
  const cdf = presets.flatMap((preset) => {
    const rows = runs.filter((r) => r.preset === preset).flatMap((r) => r.run.messages);
    const delays = rows
      .filter((m) => m.status === "delivered")
      .map((m) => Math.max(1, Number(m.delay_ms)))
      .sort((a, b) => a - b);
    const step = Math.max(1, Math.ceil(delays.length / MAX_CDF_POINTS));
    const ranks = delays.map((_, i) => i).filter((i) => i % step === 0 || i === delays.length - 1);
    return ranks.map((i) => ({ preset, delay_ms: delays[i]!, share: (i + 1) / rows.length }));
  });
  return [
    perStage("compare-p50", "p50", "p50 delay", "p50 delay (ms)", `Median delay of each run's stage (nearest rank), ${CENSORED}`, true),
    perStage("compare-p99", "p99", "p99 delay", "p99 delay (ms)", `99th percentile delay of each run's stage (nearest rank), ${CENSORED}`, true),
    perStage(
      "compare-delivered",
      "delivered_share",
      "Delivered share",
      "delivered / offered",
      "Delivered over offered messages of each run's stage.",
      false,
      "%",
    ),
    {
      id: "compare-cdf",
      title: "Delay distribution over all runs, relayers overlaid",
      caption:
        "Share of offered messages (y) delivered within a delay (x), all runs of a preset pooled (beyond 4,000 messages a run, a seeded sample); " +
        "a curve that ends below 100 % is the dropped share; further left is faster.",
      spec: {
        data: { values: cdf },
        mark: { type: "line", interpolate: "step-after" },
        encoding: {
          x: { field: "delay_ms", type: "quantitative", scale: { type: "log" }, title: "delay (ms)" },
          y: { field: "share", type: "quantitative", axis: { format: "%" }, title: "delivered within", scale: { domain: [0, 1] } },
          color: { field: "preset", type: "nominal", sort: presets, title: "relayer" },
        },
      },
    },
  ];
}

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

/** Anything URL-shaped in free text (fault labels, statuses) is redacted like an RPC URL. */
function redactText(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s;,)]+/gi, (url) => redactUrl(url));
}

function table(rows: Row[], columns: Array<[key: string, title: string]>): string {
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
  const s = run.summary ?? {};
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
  const stepCols: Array<[string, string]> = [
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
  const drops = run.steps.flatMap((s) =>
    (s.drop_reasons ?? "")
      .split(";")
      .filter(Boolean)
      .map((entry) => {
        const at = entry.lastIndexOf("=");
        return { stage: s.stage!, reason: entry.slice(0, at), count: entry.slice(at + 1) };
      }),
  );
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
  const perRun = readCsv(dir, "comparison-runs.csv");
  if (!perRun.length) throw new Error(`${dir}: no comparison-runs.csv (a comparison of an older bridge-stress); run the comparison again`);
  // One entry per run folder, in run order (the CSV lists runs as they ran: repeat by repeat, presets in the order given).
  const listed = new Map<string, { preset: string; repeat: number }>();
  for (const r of perRun) if (!listed.has(r.run_folder!)) listed.set(r.run_folder!, { preset: r.preset!, repeat: Number(r.repeat) });
  const runs: ComparedRunData[] = [];
  for (const [folder, { preset, repeat }] of listed) runs.push({ preset, repeat, run: await readRun(join(dir, folder)) });
  const presets = [...new Set(runs.map((r) => r.preset))];
  const repeats = new Set(runs.map((r) => r.repeat)).size;
  const comparison = readCsv(dir, "comparison.csv");
  const title = `bridge-stress comparison: ${runs[0]?.run.manifest.scenario?.name ?? basename(dir)}`;
  const incomplete = runs.filter((r) => r.run.manifest.complete !== true).map((r) => `${r.preset} (repeat ${r.repeat})`);
  const runRows = runs.map(({ preset, repeat, run }) => ({ repeat: String(repeat), preset, folder: basename(run.dir), ...(run.summary ?? {}) }));
  const figureColumns: Array<[string, string]> = [
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
  const runColumns: Array<[string, string]> = [
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
<h3>The figures behind them (comparison.csv)</h3>
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
  if (!existsSync(root)) throw new Error(`${dir}: no such folder; give a run folder (reports/<run-id>)`);
  const isComparison = existsSync(join(root, "comparison.csv")) && !existsSync(join(root, MANIFEST));
  const html = isComparison ? await comparisonPage(root) : await runPage(await readRun(root));
  const path = join(root, REPORT_FILE);
  writeFileSync(path, html);
  return path;
}

/** writeHtmlReport for the end of a run or comparison: a failure is returned, not thrown (the CSVs stand without the page). */
export function tryWriteHtmlReport(dir: string): Promise<{ path: string } | { error: string }> {
  return writeHtmlReport(dir).then(
    (path) => ({ path }),
    (err: Error) => ({ error: err.message }),
  );
}

/** The chart ids a report of this folder holds (what a browser test expects to see rendered). */
export function chartIds(html: string): string[] {
  return [...html.matchAll(/data-chart="([^"]+)"/g)].map((m) => m[1]!);
}
