import test from "ava";
import { StageStats } from "../measure/stats.ts";
import { addResources, MinuteWindows, type ResourceSample } from "../measure/resources.ts";
import { judgeStage, DEFAULT_CRITERIA } from "../measure/capacity.ts";
import { RESOURCES, STEPS, stepRecords } from "./tables.ts";

const MB = 2 ** 20;

const sample = (at: number, harnessMb: number, chains: Record<string, number | undefined>, lateness: Record<string, number[]>): ResourceSample => ({
  at,
  harnessRssBytes: harnessMb * MB,
  harnessHeapBytes: (harnessMb / 4) * MB,
  processes: Object.fromEntries(Object.entries(chains).map(([name, mb]) => [name, mb === undefined ? undefined : mb * MB])),
  blockLateness: lateness,
});

test("steps.csv's resource columns: the stage's largest readings and each chain's block-lateness p99, name=value by name", (t) => {
  const stats = new StageStats([{ rate: 1, startRate: 1, durationS: 10 }]);
  const stage = stats.stages[0]!;
  // 100 lateness values 1..100 ms on Ethereum: nearest-rank p99 is the 99th, 99 ms; Base's two: 7.25.
  const ethereum = Array.from({ length: 100 }, (_, i) => i + 1);
  addResources(stage.resources!, sample(1000, 300, { Ethereum: 100, Base: 250.04 }, { Ethereum: ethereum.slice(0, 50), Base: [2] }));
  addResources(stage.resources!, sample(2000, 280.55, { Ethereum: 120.5, Base: undefined }, { Ethereum: ethereum.slice(50), Base: [7.25] }));
  const [record] = stepRecords(stats.stages, [judgeStage(stage, DEFAULT_CRITERIA, { atMs: 0 })]);
  t.is(STEPS.cell(record!, "harness_rss_max_mb"), "300.0");
  t.is(STEPS.cell(record!, "harness_heap_max_mb"), "75.0");
  t.is(STEPS.cell(record!, "process_rss_max_mb"), "Base=250.0;Ethereum=120.5", "a reading that failed (undefined) does not count");
  t.is(STEPS.cell(record!, "block_lateness_p99_ms"), "Base=7.3;Ethereum=99.0");
});

test("steps.csv's resource columns are empty for a stage without samples", (t) => {
  const stats = new StageStats([{ rate: 1, startRate: 1, durationS: 10 }]);
  const [record] = stepRecords(stats.stages, [judgeStage(stats.stages[0]!, DEFAULT_CRITERIA, { atMs: 0 })]);
  for (const column of ["harness_rss_max_mb", "harness_heap_max_mb", "process_rss_max_mb", "block_lateness_p99_ms"] as const) {
    t.is(STEPS.cell(record!, column), "", column);
  }
});

test("resources.csv: one row per minute, samples and deliveries counted into the minute their time falls in", (t) => {
  const minutes = new MinuteWindows();
  minutes.add(sample(59_999, 100, { Ethereum: 50 }, { Ethereum: [1, 3] }));
  minutes.add(sample(60_000, 200, { Ethereum: 400 }, { Ethereum: [250] }));
  minutes.add(sample(61_000, 150, { Ethereum: 300 }, {}));
  for (const delay of [500, 700, 900]) minutes.delivered(10_000, delay);
  minutes.delivered(125_000, 3100);
  const rows = minutes.minutes().map((m) => RESOURCES.row({ ...m, stage: m.minute < 2 ? 0 : undefined }));
  t.deepEqual(RESOURCES.columns, [
    "minute",
    "stage",
    "delivered",
    "p99_ms",
    "harness_rss_max_mb",
    "harness_heap_max_mb",
    "process_rss_max_mb",
    "block_lateness_p99_ms",
  ]);
  t.deepEqual(rows, [
    ["0", "0", "3", "900.0", "100.0", "25.0", "Ethereum=50.0", "Ethereum=3.0"],
    ["1", "0", "0", "", "200.0", "50.0", "Ethereum=400.0", "Ethereum=250.0"],
    ["2", "between", "1", "3100.0", "", "", "", ""],
  ]);
});
