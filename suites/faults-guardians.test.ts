import test, { type ExecutionContext } from "ava";
import type { RunResult } from "../src/run.ts";
import { failedThresholds, runLocal, runShipped, type Row } from "./helpers/run.ts";

// Three 2-second stages at 10 msgs/s: clean, faulted (the fault covers exactly the middle
// stage, 2 s – 4 s), healed. Guardian faults act in the guardian network itself. The outage and the partition
// are the shipped scenarios fault-guardian-outage and fault-gossip-partition, laid out so.
type Run = Awaited<ReturnType<typeof runLocal>>;
const withRows = ({ result, rows, survivors }: Run) => ({
  result,
  survivors,
  messages: rows("messages.csv"),
  events: rows("events.csv"),
  steps: rows("steps.csv"),
  hops: rows("hops.csv"),
});

async function runWithFault(fault: Record<string, unknown>, drain = "15s") {
  return withRows(
    await runLocal({
      name: `fault-${fault.kind}`,
      seed: 21,
      stages: [
        { rate: 10, duration: "2s" },
        { rate: 10, duration: "2s" },
        { rate: 10, duration: "2s" },
      ],
      drain,
      slo: { desyncMs: 200 },
      faults: [{ at: "2s", for: "2s", ...fault }],
    }),
  );
}

/** sent = delivered + dropped, and no process of the stack outlived the run. */
function accounted(t: ExecutionContext, { result, messages, survivors }: { result: RunResult; messages: Row[]; survivors: number[] }) {
  const total = result.stats.total;
  t.is(total.offered, messages.length);
  t.is(total.delivered + total.dropped, total.offered, "sent = delivered + dropped");
  t.deepEqual(survivors, [], "no process of the stack survives the run");
}

test.serial("guardians below quorum: no VAA, drops with reason no-quorum, delivery resumes after the heal", async (t) => {
  const run = withRows(await runShipped("fault-guardian-outage"));
  const { messages, events, steps } = run;
  accounted(t, run);
  t.deepEqual(failedThresholds(run.result), [], "the shipped scenario's thresholds hold");
  const at = (m: Row) => Number(m.intended_at_ms);
  const during = messages.filter((m) => at(m) >= 2300 && at(m) < 3600);
  t.true(during.length >= 10);
  t.deepEqual([...new Set(during.map((m) => `${m.status} ${m.drop_reason}`))], ["dropped no-quorum"]);
  for (const m of messages.filter((m) => at(m) < 1500 || at(m) >= 4500)) t.is(m.status, "delivered", `message ${m.message_id} at ${at(m)} ms`);
  t.deepEqual(
    events.map((e) => e.event),
    ["fault-start", "fault-end"],
  );
  t.true(Math.abs(Number(events[0]!.at_ms) - 2000) < 100 && Math.abs(Number(events[1]!.at_ms) - 4000) < 100);
  t.deepEqual(
    steps.map((s) => s.faults !== ""),
    [false, true, false],
  );
  t.regex(steps[1]!.faults!, /guardians-offline\(count=7\)@2s\+2s/);
});

test.serial("a gossip partition holds quorum back until it heals; nothing is lost", async (t) => {
  const run = withRows(await runShipped("fault-gossip-partition"));
  const { messages } = run;
  accounted(t, run);
  t.deepEqual(failedThresholds(run.result), [], "the shipped scenario's thresholds hold");
  t.deepEqual(
    messages.filter((m) => m.status !== "delivered").map((m) => m.message_id),
    [],
  );
  // Messages seen on the source during the partition get their VAA only after the heal.
  const split = messages.filter((m) => Number(m.source_included_at_ms) >= 2100 && Number(m.source_included_at_ms) < 3800);
  t.true(split.length >= 10);
  for (const m of split) t.true(Number(m.vaa_ready_at_ms) >= 3990, `message ${m.message_id}: VAA at ${m.vaa_ready_at_ms} ms, before the heal`);
});

test.serial("delayed guardians slow quorum by about their delay", async (t) => {
  // 7 of 19 guardians sign 400 ms late: quorum (13) needs at least one of them.
  const run = await runWithFault({ kind: "guardian-delay", count: 7, ms: 400 });
  const { hops, steps } = run;
  accounted(t, run);
  const quorum = (stage: string) => Number(hops.find((h) => h.stage === stage && h.hop === "guardian_quorum")!.p50_ms);
  t.true(quorum("0") < 150, `clean stage quorum p50 ${quorum("0")} ms`);
  t.true(quorum("1") >= 350, `faulted stage quorum p50 ${quorum("1")} ms`);
  t.true(quorum("2") < 150, `healed stage quorum p50 ${quorum("2")} ms`);
  // Observation skew (first to last guardian) carries the delay too, and trips the desync criterion.
  const skew = (stage: number) => Number(steps[stage]!.observation_skew_p99_ms);
  t.true(skew(0) < 150 && skew(1) >= 350, `observation skew p99 ${skew(0)} ms clean, ${skew(1)} ms delayed`);
  t.deepEqual(
    steps.map((s) => s.failed_criteria.split(";").includes("desync")),
    [false, true, false],
  );
});
