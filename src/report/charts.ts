import type { TopLevelSpec } from "vega-lite";
import { BUSY_HARNESS_LOOP } from "../measure/stats.ts";
import { HOPS } from "../measure/hops.ts";
import { SATURATED_MACHINE } from "../measure/machineCpu.ts";
import { num, type RunData } from "./readBack.ts";
import { redactText } from "./redact.ts";

// The charts of a run's report.html: Vega-Lite specs over the CSVs read back (readBack.ts).

type StepRow = RunData["steps"][number];

/** One chart of a report: a Vega-Lite spec rendered to SVG, with what it shows. */
export interface Chart {
  id: string;
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

export const stageLabel = (row: Pick<StepRow, "stage" | "offered_rate">): string => `S${row.stage} · ${row.offered_rate}/s`;
const stageSort = (steps: StepRow[]): string[] => steps.map(stageLabel);

export const WIDTH = 620;
export const HEIGHT = 240;

/** The x axis every per-stage chart shares: stages in order, labelled with their offered rate. */
export function stageAxis(steps: StepRow[]) {
  return { field: "stage_label", type: "ordinal", sort: stageSort(steps), title: "stage · offered rate", axis: { labelAngle: 0 } } as const;
}

/** Lines with points over the stages, one per `series` value. */
function stageLines(steps: StepRow[], values: object[], y: Record<string, unknown>, series: { field: string; sort: string[] }): TopLevelSpec {
  return {
    data: { values },
    mark: { type: "line", point: true },
    encoding: { x: stageAxis(steps), y: { type: "quantitative", ...y }, color: { type: "nominal", ...series } },
  } as TopLevelSpec;
}

/** Fault windows (fault-start … fault-end, chain-halted … chain-resumed) and momentary faults, in s from the run's start. */
function faultWindows(
  events: RunData["events"],
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

export function runCharts(run: RunData): Chart[] {
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
