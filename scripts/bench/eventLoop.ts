// Event-loop load of one run: node --import tsx scripts/bench/eventLoop.ts <scenario> [<field overrides as JSON>]
// Prints one JSON line: the main thread's event-loop delay (perf_hooks monitorEventLoopDelay at
// 10 ms resolution, so an idle loop reads ~10 ms; p50/p99 as its HDR histogram gives them, and
// the max, ms) and its utilization (eventLoopUtilization: busy share), over the whole run
// (`run`: start-up, load, drain, reports) and over the load and drain (`load`: from the first
// live progress line, about a second into stage 0, to the end of the run).
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from "node:perf_hooks";
import { validateScenario } from "../../src/scenarios.ts";
import { runScenario } from "../../src/run.ts";

const [name = "smoke", overrides = "{}"] = process.argv.slice(2);
const file = name.endsWith(".json") ? name : `fixtures/scenarios/${name}.json`;
const raw = { ...JSON.parse(readFileSync(file, "utf8")), ...JSON.parse(overrides) };
const scenario = validateScenario(raw, file, "fixtures/scenarios/");

const ms = (ns: number) => Math.round(ns / 1e4) / 100;
const figures = (delay: IntervalHistogram, elu: EventLoopUtilization) => ({
  delayP50Ms: ms(delay.percentile(50)),
  delayP99Ms: ms(delay.percentile(99)),
  delayMaxMs: ms(delay.max),
  utilization: Math.round(elu.utilization * 1000) / 1000,
});

const run = monitorEventLoopDelay({ resolution: 10 });
const load = monitorEventLoopDelay({ resolution: 10 });
const runStart = performance.eventLoopUtilization();
let loadStart: EventLoopUtilization | undefined;
run.enable();
const result = await runScenario(scenario, {
  outDir: join(tmpdir(), "bridge-stress-eventloop"),
  onProgress: (line) => {
    // The first live line ("t=0s stage 0 …") comes a second into the load.
    if (loadStart || !/^t=\d+s stage \d/.test(line)) return;
    loadStart = performance.eventLoopUtilization();
    load.enable();
  },
});
run.disable();
load.disable();
const runFigures = figures(run, performance.eventLoopUtilization(runStart));
const loadFigures = figures(load, performance.eventLoopUtilization(loadStart));
console.log(
  JSON.stringify({
    scenario: scenario.name,
    delivered: result.stats.total.delivered,
    offered: result.stats.total.offered,
    run: runFigures,
    load: loadFigures,
  }),
);
process.exit(0);
