// The suite's own highest sustainable end-to-end rate on the destination settings of the
// destination-ceiling benchmark: Ethereum → Base (Base at the given block time, 30 M gas),
// 19 guardians, the reference relayer's `wide` preset, stages rising until one fails the capacity criteria.
// A 3 s warm-up stage at 20 msgs/s comes first and is not judged (the first seconds of a run
// carry start-up costs: compilation, first blocks). Prints one JSON line.
//
//   tsx scripts/bench/capacity.ts [blockTimeMs]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateScenario } from "../../src/scenarios.ts";
import { runScenario } from "../../src/run.ts";
import { capacityVerdict } from "../../src/measure/capacity.ts";

const blockTimeMs = Number(process.argv[2] ?? 250);
const rates = [100, 200, 300, 400, 450, 500, 550, 600];
const scenario = validateScenario(
  {
    name: "bench-capacity",
    seed: 7,
    chains: { Ethereum: { blockTimeMs: 500 }, Base: { blockTimeMs } },
    routes: [{ from: "Ethereum", to: ["Base"] }],
    stages: [{ rate: 20, duration: "3s" }, ...rates.map((rate) => ({ rate, duration: "8s" }))],
    drain: "30s",
    // Sized for throughput (push stream, 512 in flight, 9 wallets): the default relayer's 64
    // submission slots fill at ~250 msgs/s, and this figure is about the harness, not that preset.
    relayer: "wide",
    senders: 10,
  },
  "bench-capacity",
);
const outDir = mkdtempSync(join(tmpdir(), "bench-capacity-"));
/** CPU seconds of this process's reaped children (the anvil chains), from /proc/self/stat. */
const childCpuS = () => {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[13]) + Number(fields[14])) / 100; // cutime + cstime, clock ticks
};
try {
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  const result = await runScenario(scenario, { outDir });
  const wallS = (performance.now() - wallStart) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const nodeCpuS = (cpu.user + cpu.system) / 1e6;
  const measured = result.stats.stages.slice(1);
  const verdict = capacityVerdict(measured, result.judgements.slice(1));
  const stages = measured.map((s) => ({
    rate: s.offeredRate,
    delivered: +s.deliveredRate.toFixed(1),
    p99: s.delay.percentile(99),
    sendLatenessP99: s.sendLateness.percentile(99),
    harnessCpu: s.harnessCpu,
    harnessLoopBusy: s.harnessLoopBusy,
    machineCpu: s.machineCpu,
    failed: result.judgements[s.stage]!.failed,
    delaySlope: result.judgements[s.stage]!.figures.delaySlope,
  }));
  console.log(
    JSON.stringify({
      blockTimeMs,
      capacity: verdict.capacity ?? 0,
      failureThreshold: verdict.failureThreshold,
      failed: verdict.failed,
      harnessCeiling: result.limits.ceilingMsgsPerS,
      // Whole run (start-up, load, drain): cores used on average by Node and by the chains.
      wallS,
      nodeCores: nodeCpuS / wallS,
      chainCores: childCpuS() / wallS,
      stages,
    }),
  );
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
