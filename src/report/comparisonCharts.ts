import type { TopLevelSpec } from "vega-lite";
import { num, type RunData } from "./readBack.ts";
import type { CsvRow } from "./csvTable.ts";
import type { COMPARISON_RUNS } from "./tables.ts";
import { type Chart, stageAxis, stageLabel } from "./charts.ts";

// The charts of a comparison's report.html: the relayers overlaid.

/** A comparison's runs: which preset and repeat each folder holds (from comparison-runs.csv), with the folder read back. */
export interface ComparedRunData {
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
export function comparisonCharts(runs: ComparedRunData[], perRun: Array<CsvRow<typeof COMPARISON_RUNS>>): Chart[] {
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
