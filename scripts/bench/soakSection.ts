// The "Long run" section of BENCHMARKS.md: written by scripts/bench/soak.ts from a soak's
// resources.csv, kept as it is by scripts/bench/run.ts when that rewrites the rest of the file.

export const SOAK_START = "<!-- long-run: written by npm run bench:soak -->";
export const SOAK_END = "<!-- /long-run -->";

/** One minute of the load (resources.csv row of stage 0). Memory in MB, times in ms. */
export interface Minute {
  minute: number;
  delivered: number;
  p99: number;
  harnessRss: number;
  harnessHeap: number;
  chainRss: Record<string, number>;
  lateness: Record<string, number>;
}

/** Memory growth over the second half of the load that still counts as flat (of the value at the half). */
export const FLAT_MEMORY_GROWTH = 0.1;
/** A minute's p99 above this multiple of the median minute's p99 is a drift. */
export const FLAT_P99_RATIO = 1.25;

export interface SoakInput {
  rate: number;
  minutes: number;
  /** Full minutes of load, in order (the last, cut short by the drain, is left out by the caller or here). */
  load: Minute[];
  offered: number;
  delivered: number;
  dropped: number;
  late: number;
  p99: number;
  /** Date, machine and commit lines. */
  header: string;
}

interface Series {
  name: string;
  values: number[];
}

/** How a memory series grew over the second half: from the minute at the half to the last. */
export function secondHalfGrowth(values: number[]): { from: number; to: number; share: number } {
  const from = values[Math.floor(values.length / 2)]!;
  const to = values.at(-1)!;
  return { from, to, share: (to - from) / from };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The p99 of each minute against the median minute's; drift when any is above FLAT_P99_RATIO times it. */
export function p99Drift(values: number[]): { median: number; worst: number; ratio: number } {
  const m = median(values);
  const worst = Math.max(...values);
  return { median: m, worst, ratio: worst / m };
}

export function soakFigures(input: SoakInput): string {
  const load = input.load.filter((m) => m.minute < input.minutes);
  const chains = Object.keys(load[0]?.chainRss ?? {});
  const memory: Series[] = [
    { name: "harness RSS", values: load.map((m) => m.harnessRss) },
    { name: "harness heap", values: load.map((m) => m.harnessHeap) },
    ...chains.map((c) => ({ name: `${c} (anvil) RSS`, values: load.map((m) => m.chainRss[c] ?? Number.NaN) })),
  ];
  const drift = p99Drift(load.map((m) => m.p99));
  const rows = load.map(
    (m) =>
      `| ${m.minute} | ${m.delivered} | ${m.p99.toFixed(0)} | ${m.harnessRss.toFixed(0)} / ${m.harnessHeap.toFixed(0)} | ${chains.map((c) => (m.chainRss[c] ?? Number.NaN).toFixed(0)).join(" / ")} | ${chains.map((c) => (m.lateness[c] ?? Number.NaN).toFixed(0)).join(" / ")} |`,
  );
  const growth = memory.map((s) => {
    const g = secondHalfGrowth(s.values);
    const flat = g.share <= FLAT_MEMORY_GROWTH;
    return `| ${s.name} | ${g.from.toFixed(0)} → ${g.to.toFixed(0)} | ${(g.share * 100).toFixed(1)} % | ${flat ? "flat" : "growing"} |`;
  });
  return `${SOAK_START}
## Long run (${input.rate} msgs/s for ${input.minutes} minutes)

${input.header}

Written by \`npm run bench:soak\` (scripts/bench/soak.ts), one run: the shipped soak scenario's
chains (Ethereum at 500 ms blocks → Arbitrum and Base at 250 ms; 19 guardians; the default
relayer; 4 senders) at ${input.rate} msgs/s for ${input.minutes} minutes and a 60 s drain, with
the long-run chain settings every run gets (README "Long runs"). Per minute of load, from the
run's resources.csv: each figure is that minute's maximum (memory) or p99 (delay, block lateness).

Whole run: ${input.delivered.toLocaleString("en-US")} of ${input.offered.toLocaleString("en-US")} delivered, ${input.dropped} dropped, ${input.late} late; delay p99 ${input.p99.toFixed(0)} ms.

| minute | delivered | delay p99 (ms) | harness RSS / heap (MB) | anvil RSS (MB): ${chains.join(" / ")} | block lateness p99 (ms): ${chains.join(" / ")} |
| --- | --- | --- | --- | --- | --- |
${rows.join("\n")}

Memory over the second half of the load (from minute ${Math.floor(load.length / 2)} to minute ${load.length - 1}); flat means it grew by at most ${FLAT_MEMORY_GROWTH * 100} %:

| process | MB | growth | |
| --- | --- | --- | --- |
${growth.join("\n")}

Delay p99 per minute: median minute ${drift.median.toFixed(0)} ms, worst ${drift.worst.toFixed(0)} ms (${drift.ratio.toFixed(2)}×; flat means every minute within ${FLAT_P99_RATIO}× the median): ${drift.ratio <= FLAT_P99_RATIO ? "flat" : "drifting"}.
${SOAK_END}`;
}

/** `file` with its long-run section replaced by `section`, or with `section` appended when it has none. */
export function withSoakSection(file: string, section: string | undefined): string {
  const start = file.indexOf(SOAK_START);
  const end = file.indexOf(SOAK_END);
  const rest = start >= 0 && end > start ? file.slice(0, start).trimEnd() + file.slice(end + SOAK_END.length) : file;
  return section ? `${rest.trimEnd()}\n\n${section}\n` : rest;
}

/** The long-run section of `file`, if it has one (what `npm run bench` carries over). */
export function soakSectionOf(file: string): string | undefined {
  const start = file.indexOf(SOAK_START);
  const end = file.indexOf(SOAK_END);
  return start >= 0 && end > start ? file.slice(start, end + SOAK_END.length) : undefined;
}
