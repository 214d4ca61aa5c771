import test from "ava";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import type { Scenario } from "../load/scenario.ts";
import { validateScenario } from "../scenarios.ts";
import { Ledger } from "../measure/ledger.ts";
import { faultsByStage, RunRecorder } from "./runReport.ts";

type Row = Record<string, string>;
const csv = (dir: string, file: string) => parse(readFileSync(join(dir, file)), { columns: true }) as Row[];

function recorder(scenario: Scenario) {
  const runDir = mkdtempSync(join(tmpdir(), "bridge-stress-report-"));
  const ledger = new Ledger();
  const input = { runId: "test", runDir, scenario, startedAt: new Date(), endpoints: {}, limits: { observationPollMs: 100 } };
  return { runDir, ledger, recorder: new RunRecorder(input, ledger) };
}

/** Plans `n` liquidation triggers of `stage`, 100 ms apart from `fromMs`. */
function plan(ledger: Ledger, stage: number, firstId: number, n: number, fromMs: number): number[] {
  return Array.from({ length: n }, (_, k) => {
    const id = firstId + k;
    ledger.plan({ id, kind: "liquidation", sourceChain: "Ethereum", destinationChain: "Base", stage, intendedAt: fromMs + 100 * k });
    ledger.sent(id, ledger.startedAt + fromMs + 100 * k, "0x01");
    return id;
  });
}

const deliver = (ledger: Ledger, id: number, atMs: number) => ledger.delivered(id, ledger.startedAt + atMs, "0x02", false);

test("a probe is judged once: the summary and steps.csv report its judgement, not a re-judgement after the drain", async (t) => {
  const scenario = validateScenario({ routes: [{ from: "Ethereum", to: ["Base"] }], search: { from: 10, max: 100 } }, "test");
  // The search adds its probes as they start; the report covers them.
  const probes = (scenario.stages = []) as Scenario["stages"];
  const { runDir, ledger, recorder: rec } = recorder(scenario);
  probes.push({ rate: 10, startRate: 10, durationS: 1, startAtMs: 0 });
  const ids = plan(ledger, 0, 1, 10, 0);
  for (const id of ids.slice(0, 8)) deliver(ledger, id, 100 * id + 500);
  // The cooldown ran out with two messages still in flight: judged as undelivered.
  const judged = rec.judge(0);
  t.deepEqual(judged.failed, ["delivered<98%", "deadlines-missed"]);
  // They arrive during the drain; judged again now, the probe would pass.
  for (const id of ids.slice(8)) deliver(ledger, id, 100 * id + 600);
  const report = await rec.finish("complete", true);
  t.is(report.judgements[0], judged);
  t.is(report.verdict.failureThreshold, 10);
  t.is(report.verdict.capacity, undefined);
  const [step] = csv(runDir, "steps.csv");
  t.like(step, {
    delivered: "10",
    judged_delivered: "8",
    judged_unfinished: "2",
    judged_liquidations: "10",
    judged_liquidations_missed: "2",
    sustainable: "false",
  });
  t.is(step!.failed_criteria, "delivered<98%;deadlines-missed");
  t.true(Math.abs(Number(step!.judged_at_ms) - judged.judgedAtMs) <= 0.05, "judged_at_ms is when the probe was judged");
  const [summary] = csv(runDir, "summary.csv");
  t.like(summary, { failure_threshold: "10", failed_criteria: "delivered<98%;deadlines-missed", throughput_capacity: "", capacity_bound: "upper" });
  const manifest = JSON.parse(readFileSync(join(runDir, "manifest.json"), "utf8"));
  t.deepEqual(manifest.judgements[0].figures.delivered, 8);
});

test("a stage a fault overlapped is labelled under fault in steps.csv and left out of summary.csv's capacity, which is a lower bound", async (t) => {
  const scenario = validateScenario(
    {
      routes: [{ from: "Ethereum", to: ["Base"] }],
      stages: [
        { rate: 10, duration: "1s" },
        { rate: 20, duration: "1s" },
      ],
      faults: [{ kind: "guardians-offline", at: "1.5s", for: "2s", count: 7 }],
    },
    "test",
  );
  const { runDir, ledger, recorder: rec } = recorder(scenario);
  for (const id of plan(ledger, 0, 1, 10, 0)) deliver(ledger, id, 100 * id + 400);
  // Stage 1 loses half its messages to the outage.
  const second = plan(ledger, 1, 11, 20, 1000);
  for (const id of second.slice(0, 10)) deliver(ledger, id, 1000 + 50 * id + 400);
  ledger.closeDrain();
  const report = await rec.finish("complete", true);
  const steps = csv(runDir, "steps.csv");
  t.deepEqual(
    steps.map((s) => s.judged_as),
    ["capacity", "under-fault"],
  );
  t.is(steps[1]!.sustainable, "false");
  t.is(steps[1]!.faults, "guardians-offline(count=7)@1.5s+2s");
  const [summary] = csv(runDir, "summary.csv");
  t.like(summary, { throughput_capacity: "10", capacity_bound: "lower", failure_threshold: "", stages_under_fault: "1", stages_harness_limited: "0" });
  t.deepEqual(report.verdict.leftOut, [{ stage: 1, judgedAs: "under-fault" }]);
  t.true("path" in report.html, JSON.stringify(report.html));
  const html = readFileSync(join(runDir, "report.html"), "utf8");
  t.true(html.includes("≥ 10 (no stage failed: a lower bound)"), "report.html marks the lower bound");
  t.true(html.includes("under-fault"), "report.html's stage table says which stage was under fault");
});

test("fault windows overlap stages as half-open intervals; a momentary fault at a stage's start belongs to it", (t) => {
  const stages = [
    { rate: 1, startRate: 1, durationS: 10 },
    { rate: 1, startRate: 1, durationS: 10 },
  ];
  const fault = (atS: number, forS: number) => ({ kind: "relayer-restart" as const, atS, forS });
  t.deepEqual(faultsByStage({ stages, faults: [fault(10, 0)] }), ["", "relayer-restart()@10s+0s"]);
  t.deepEqual(faultsByStage({ stages, faults: [fault(5, 5)] }), ["relayer-restart()@5s+5s", ""]);
  t.deepEqual(faultsByStage({ stages, faults: [fault(9, 2)] }).map(Boolean), [true, true]);
});
