// Event-loop load of one run: node --import tsx scripts/bench/eventLoop.ts <scenario> [<field overrides as JSON>]
// Prints one JSON line: the main thread's event-loop delay (perf_hooks monitorEventLoopDelay,
// 10 ms resolution; p50/p99 as its HDR histogram gives them, and max, ms) and its utilization (eventLoopUtilization,
// busy share) from the start of the run to its end (chains' start-up and the drain included).
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { validateScenario } from "../../src/scenarios.ts";
import { runScenario } from "../../src/run.ts";

const [name = "smoke", overrides = "{}"] = process.argv.slice(2);
const file = name.endsWith(".json") ? name : `fixtures/scenarios/${name}.json`;
const raw = { ...JSON.parse(readFileSync(file, "utf8")), ...JSON.parse(overrides) };
const scenario = validateScenario(raw, file, "fixtures/scenarios/");
const delay = monitorEventLoopDelay({ resolution: 10 });
const eluStart = performance.eventLoopUtilization();
delay.enable();
const result = await runScenario(scenario, { outDir: join(tmpdir(), "bridge-stress-eventloop") });
delay.disable();
const elu = performance.eventLoopUtilization(eluStart);
const ms = (ns: number) => Math.round(ns / 1e4) / 100;
console.log(
  JSON.stringify({
    scenario: scenario.name,
    delivered: result.stats.total.delivered,
    offered: result.stats.total.offered,
    loopDelayP50Ms: ms(delay.percentile(50)),
    loopDelayP99Ms: ms(delay.percentile(99)),
    loopDelayMaxMs: ms(delay.max),
    loopUtilization: Math.round(elu.utilization * 1000) / 1000,
  }),
);
process.exit(0);
