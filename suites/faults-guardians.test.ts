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
  anomalies: rows("anomalies.csv"),
});

async function runWithFault(fault: Record<string, unknown>, drain = "15s", guardianNetwork?: Record<string, unknown>) {
  return withRows(
    await runLocal({
      name: `fault-${fault.kind}`,
      seed: 21,
      ...(guardianNetwork ? { guardianNetwork } : {}),
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

test.serial("guardians below quorum: late, not lost — re-observation after the heal delivers what was published during the outage", async (t) => {
  const run = withRows(await runShipped("fault-guardian-outage"));
  const { messages, events, steps } = run;
  accounted(t, run);
  t.deepEqual(failedThresholds(run.result), [], "the shipped scenario's thresholds hold");
  const at = (m: Row) => Number(m.intended_at_ms);
  const during = messages.filter((m) => at(m) >= 2300 && at(m) < 3600);
  t.true(during.length >= 10);
  t.deepEqual([...new Set(messages.map((m) => m.status))], ["delivered"], "nothing is lost");
  // Published while 7 of 19 were down: 12 signatures, one short. The first re-observation request
  // (3 s after the first observation, the scenario's scaled wait) comes after the heal at 4 s.
  for (const m of during) {
    t.true(
      Number(m.vaa_ready_at_ms) >= Number(m.source_included_at_ms) + 2900,
      `message ${m.message_id}: VAA ${m.vaa_ready_at_ms} ms, seen ${m.source_included_at_ms} ms`,
    );
    t.true(Number(m.vaa_ready_at_ms) >= 4000, `message ${m.message_id}: VAA before the heal`);
  }
  for (const m of messages.filter((m) => at(m) < 1500 || at(m) >= 4500))
    t.true(Number(m.delay_ms) < 2500, `message ${m.message_id} at ${at(m)} ms took ${m.delay_ms} ms`);
  const reobserved = new Set(run.anomalies.filter((a) => a.kind === "reobserved-vaa").map((a) => a.message_id));
  for (const m of during) t.true(reobserved.has(m.message_id), `message ${m.message_id} is a reobserved-vaa anomaly`);
  for (const m of messages.filter((m) => at(m) < 1500 || at(m) >= 4500)) t.false(reobserved.has(m.message_id));
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

test.serial("with re-observation off the same outage loses those messages as no-quorum", async (t) => {
  // (A message still waiting for re-observation when the drain ends, reobservation-pending, is
  // src/bridges/wormhole/watchers.test.ts's.)
  const off = await runWithFault({ kind: "guardians-offline", count: 7 }, "4s", { reobservation: false });
  accounted(t, off);
  const at = (m: Row) => Number(m.intended_at_ms);
  const during = off.messages.filter((m) => at(m) >= 2300 && at(m) < 3600);
  t.true(during.length >= 10);
  t.deepEqual([...new Set(during.map((m) => `${m.status} ${m.drop_reason}`))], ["dropped no-quorum"]);
});

test.serial("equivocating guardians: bodies never mix, quorum forms from the honest ones, and events.csv names the guardians", async (t) => {
  // One run: 6 guardians sign another body from 1 s to 2.5 s, then 3 sign with keys not in the
  // set from 3.5 s to 5 s; 13 honest guardians remain either way.
  const run = withRows(
    await runLocal({
      name: "fault-guardians-equivocate",
      seed: 21,
      stages: [{ rate: 10, duration: "6s" }],
      drain: "4s",
      faults: [
        { kind: "guardians-equivocate", count: 6, how: "body", at: "1s", for: "1.5s" },
        { kind: "guardians-equivocate", count: 3, how: "key", at: "3.5s", for: "1.5s" },
      ],
    }),
  );
  accounted(t, run);
  t.deepEqual([...new Set(run.messages.map((m) => m.status))], ["delivered"]);
  const named = run.events.filter((e) => e.event === "guardian-misbehaved");
  const first = named.slice(0, -1).map((e) => ({ guardian: Number(/^guardian (\d+)/.exec(e.fault!)?.[1]), at: Number(e.at_ms), fault: e.fault! }));
  // Guardians 13–18 for another body, during the first fault; then 16–18 again are already named.
  t.deepEqual(
    first.map((f) => f.guardian).sort((a, b) => a - b),
    [13, 14, 15, 16, 17, 18],
  );
  for (const f of first) {
    t.regex(f.fault, /signed a body for \S+ other than/);
    t.true(f.at >= 900 && f.at <= 3000, `${f.fault} at ${f.at} ms`);
  }
  const summary = named.at(-1)!.fault!;
  t.regex(summary, /guardian 13: [1-9]\d* other bodies, 0 signatures not its own/);
  t.regex(summary, /guardian 16: [1-9]\d* other bodies, [1-9]\d* signatures not its own/);
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
  // 7 of 19 guardians sign 400 ms late: quorum (13) needs at least one of them. The guardians'
  // view lags are off here: with them, a message seen a few ms before the fault starts reaches a
  // lagging guardian after it, is delayed, and (stages of 20 messages) sets the clean stage's p99
  // skew — right, but not what this test is about (seen once in CI).
  const run = await runWithFault({ kind: "guardian-delay", count: 7, ms: 400 }, "15s", { viewLagMs: 0 });
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
