import test from "ava";
import { failedThresholds, p50Between, runShipped } from "./helpers/run.ts";

// Network faults act through Toxiproxy on the bridge's links (guardians' and relayer's RPC
// connections and the VAA API); the harness's own watchers stay direct. Both runs are
// shipped scenarios: stages of 2, 2 and 4 s at 10 msgs/s, the fault around the second.
async function runShippedFault(name: string) {
  const { result, rows, survivors } = await runShipped(name);
  return { result, survivors, messages: rows("messages.csv"), events: rows("events.csv") };
}

test.serial("1 s of RPC latency on the destination raises delivery delay by about that much", async (t) => {
  // The fault covers 1.5 s – 5 s, so messages meant for 2 s – 3.5 s meet it over their whole path.
  const { result, messages, events, survivors } = await runShippedFault("fault-rpc-latency");
  t.deepEqual(failedThresholds(result), [], "the shipped scenario's thresholds hold");
  t.deepEqual(
    events.map((e) => e.event),
    ["fault-start", "fault-end"],
  );
  const [clean, faulted, healed] = [p50Between(messages, 0, 1200), p50Between(messages, 2000, 3500), p50Between(messages, 6000, 8000)];
  const added = faulted - clean;
  t.log(`p50 ${clean} ms → ${faulted} ms under latency (+${added.toFixed(0)} ms), ${healed} ms after`);
  // The transaction reaches the node 1 s later; landing in the next 200 ms block absorbs up to a block of that.
  t.true(added >= 750 && added <= 1600, `p50 ${clean} ms → ${faulted} ms under latency (+${added.toFixed(0)} ms)`);
  t.true(healed - clean < 250, `p50 after the heal ${healed} ms vs ${clean} ms before`);
  t.is(result.stats.total.dropped, 0);
  t.deepEqual(survivors, [], "anvil, the fault proxy and the relayer are stopped with the stack");
});

test.serial("a VAA API outage delays deliveries until it heals; nothing is lost", async (t) => {
  const { result, messages, survivors } = await runShippedFault("fault-rpc-outage");
  t.deepEqual(failedThresholds(result), [], "the shipped scenario's thresholds hold");
  t.deepEqual(survivors, []);
  t.is(result.stats.total.delivered + result.stats.total.dropped, messages.length);
  t.deepEqual(
    messages.filter((m) => m.status !== "delivered").map((m) => `${m.message_id} ${m.drop_reason}`),
    [],
  );
  // Signed during the outage, fetched only after it.
  const blocked = messages.filter((m) => Number(m.vaa_ready_at_ms) > 2200 && Number(m.vaa_ready_at_ms) < 3700);
  t.true(blocked.length >= 8);
  for (const m of blocked) t.true(Number(m.relayer_fetched_at_ms) >= 3950, `message ${m.message_id} fetched at ${m.relayer_fetched_at_ms} ms`);
});
