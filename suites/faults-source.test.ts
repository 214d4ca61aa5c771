import test from "ava";
import { failedThresholds, runShipped } from "./helpers/run.ts";

// A reorg on the source chain at 2 s replaces its last 3 blocks (600 ms at 200 ms blocks)
// with empty ones, under 20 msgs/s for 4 s: the shipped scenarios fault-reorg-instant and
// fault-reorg-finalized. finalized = head − 8 blocks here (anvil --slots-in-an-epoch 4).
async function runWithReorg(consistency: "instant" | "finalized") {
  const { result, rows, survivors } = await runShipped(`fault-reorg-${consistency}`);
  return { result, survivors, messages: rows("messages.csv"), anomalies: rows("anomalies.csv"), events: rows("events.csv"), steps: rows("steps.csv") };
}

test.serial("a source reorg with instant consistency: messages already signed are delivered anyway, counted as phantom deliveries", async (t) => {
  const { result, survivors, messages, anomalies, events, steps } = await runWithReorg("instant");
  t.deepEqual(failedThresholds(result), [], "the shipped scenario's thresholds hold");
  const total = result.stats.total;
  t.is(total.delivered + total.dropped, messages.length, "sent = delivered + dropped");
  t.deepEqual(
    events.map((e) => e.event),
    ["fault"],
  );
  t.regex(events[0]!.fault!, /^reorg\(target=Ethereum,depth=3\)@2s\+0s: blocks \d+–\d+ replaced; \d+ messages rolled back/);
  // Undelivered: rolled back before any guardian signed, or a later message whose reused
  // sequence made its VAA id the phantom's (a relayer fetching by id got the old VAA).
  for (const m of messages.filter((m) => m.status === "dropped")) t.regex(m.drop_reason!, /^(source-rolled-back|vaa-id-reused: )/);
  const phantoms = anomalies.filter((a) => a.kind === "phantom-delivery");
  t.true(phantoms.length > 0, "phantom deliveries");
  // Each phantom is a message the receiver accepted: delivered in messages.csv, counted once.
  const delivered = new Set(messages.filter((m) => m.status === "delivered").map((m) => m.message_id));
  for (const a of phantoms) t.true(delivered.has(a.message_id!), `phantom ${a.message_id} is a delivered message`);
  t.is(new Set(phantoms.map((a) => a.message_id)).size, phantoms.length);
  t.is(Number(steps[0]!.phantom_deliveries), phantoms.length);
  t.is(Number(result.stats.total.phantoms), phantoms.length);
  t.deepEqual(survivors, []);
});

test.serial("a source reorg with finalized consistency: no phantom delivery; rolled-back messages are dropped with that reason", async (t) => {
  const { result, survivors, messages, anomalies } = await runWithReorg("finalized");
  t.deepEqual(failedThresholds(result), [], "the shipped scenario's thresholds hold");
  const total = result.stats.total;
  t.is(total.delivered + total.dropped, messages.length, "sent = delivered + dropped");
  t.deepEqual(
    anomalies.filter((a) => a.kind === "phantom-delivery"),
    [],
  );
  const dropped = messages.filter((m) => m.status === "dropped");
  t.true(dropped.length > 0, "the reorg rolled some messages back");
  t.deepEqual([...new Set(dropped.map((m) => m.drop_reason))], ["source-rolled-back"]);
  // Everything sent well before or after the reorged blocks arrives.
  for (const m of messages.filter((m) => Number(m.intended_at_ms) < 1000 || Number(m.intended_at_ms) >= 2600)) {
    t.is(m.status, "delivered", `message ${m.message_id} at ${m.intended_at_ms} ms`);
  }
  t.deepEqual(survivors, []);
});
