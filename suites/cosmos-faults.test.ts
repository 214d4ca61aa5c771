import test, { type ExecutionContext } from "ava";
import { runLocal, runShipped } from "./helpers/run.ts";

// Validators stopped mid-run on a 4-validator localnet: CometBFT needs more than two thirds
// of the voting power, so one down is tolerated and two down halt the chain.
// Two validators stopped is the shipped scenario fault-validator-halt, laid out as these runs.
async function runWithValidatorsOffline(count: number, kind = "validators-offline") {
  return accounted(
    await runLocal({
      name: `cosmos-${kind}-${count}`,
      bridge: "cosmos",
      cosmos: { validators: 4, blockTimeMs: 300, accounts: 4 },
      stages: [{ rate: 10, duration: "6s" }],
      drain: "20s",
      faults: [{ kind, target: "stress-a", count, at: "1s", for: "4s" }],
    }),
  );
}

function accounted({ result, rows, survivors }: Awaited<ReturnType<typeof runLocal>>) {
  const messages = rows("messages.csv");
  assertAccounted(result.stats.total, messages.length);
  return { result, survivors, messages, events: rows("events.csv") };
}

function assertAccounted(total: { offered: number; delivered: number; dropped: number }, rows: number): void {
  if (total.offered !== rows || total.delivered + total.dropped !== total.offered) {
    throw new Error(`sent ${total.offered}, rows ${rows}, delivered ${total.delivered} + dropped ${total.dropped}`);
  }
}

/** chain-halted events between fault-start and fault-end; a halt after the heal is logged by the caller's run. */
function haltsDuringOutage(events: Record<string, string>[]): Record<string, string>[] {
  const [start, end] = ["fault-start", "fault-end"].map((kind) => Number(events.find((e) => e.event === kind)!.at_ms));
  return events.filter((e) => e.event === "chain-halted" && Number(e.at_ms) >= start! && Number(e.at_ms) <= end!);
}

/** A halt after the heal (validators redialling, a lagging one catching up) is logged, not hidden. */
function logHaltsAfter(t: ExecutionContext, events: Record<string, string>[]): void {
  for (const e of events.filter((e) => e.event === "chain-halted" || e.event === "chain-resumed")) t.log(`${e.event} at ${e.at_ms} ms: ${e.fault}`);
}

const during = (m: Record<string, string>) => Number(m.intended_at_ms) >= 1500 && Number(m.intended_at_ms) < 4500;

test.serial("one validator of four stopped mid-run: consensus holds, every message is delivered during the outage", async (t) => {
  const { survivors, messages, events } = await runWithValidatorsOffline(1);
  t.deepEqual(survivors, []);
  t.deepEqual(
    messages.filter((m) => m.status !== "delivered").map((m) => m.message_id),
    [],
  );
  // Consensus held while val3 was down. (Once, in CI, the chain paused for over 3 s after val3
  // came back, while it caught up: a halt after the outage is logged, not hidden.)
  t.deepEqual(haltsDuringOutage(events), [], "no chain-halted event during the outage");
  logHaltsAfter(t, events);
  // Delivered while val3 was still down (it is started again at 5 s).
  t.true(messages.filter(during).some((m) => Number(m.delivered_at_ms) < 5000));
});

test.serial("two validators of four stopped: the chain halts and the report says so; nothing is lost", async (t) => {
  // The shipped scenario's drain is 60 s, for a slow reconnection; 20 s here keeps the suite's time.
  const { survivors, messages, events } = accounted(await runShipped("fault-validator-halt", { drain: "20s" }));
  t.deepEqual(survivors, []);
  const kinds = events.map((e) => e.event);
  t.true(kinds.includes("chain-halted"), kinds.join(", "));
  const halted = events.find((e) => e.event === "chain-halted")!;
  t.regex(halted.fault!, /^stress-a: no block after height \d+/);
  const healed = Number(events.find((e) => e.event === "fault-end")!.at_ms);
  // Nothing sent during the outage was included while it lasted.
  const held = messages.filter(during);
  t.true(held.length >= 20);
  for (const m of held) {
    if (m.status === "delivered")
      t.true(Number(m.delivered_at_ms) >= healed, `message ${m.message_id} delivered at ${m.delivered_at_ms} ms, during the outage`);
    // Started again, the validators did not always reach consensus before the drain ended
    // (seen: 2.5 s in most runs, over 20 s in some): then the rest is dropped as halted.
    else t.regex(m.drop_reason!, /^chain-halted: stress-a made no block after height \d+/);
  }
  t.log(kinds.includes("chain-resumed") ? "the chain resumed after the restart" : "the chain had not resumed when the drain ended");
});

test.serial("validators cut off through the fault proxy on their p2p links: one is tolerated, two halt the chain", async (t) => {
  const one = await runWithValidatorsOffline(1, "validators-partition");
  t.deepEqual(one.survivors, [], "validators and the fault proxy are stopped");
  t.deepEqual(
    one.messages.filter((m) => m.status !== "delivered").map((m) => m.message_id),
    [],
  );
  t.regex(one.events[0]!.fault!, /simd:val3 cut off from the others/);
  t.deepEqual(haltsDuringOutage(one.events), [], "no chain-halted event while val3 was cut off");
  logHaltsAfter(t, one.events);

  const two = await runWithValidatorsOffline(2, "validators-partition");
  t.deepEqual(two.survivors, []);
  const kinds = two.events.map((e) => e.event);
  t.true(kinds.includes("chain-halted"), kinds.join(", "));
  // After the heal the validators redial each other on CometBFT's reconnect backoff (seen
  // here: from 3 s to over 20 s), so the chain may or may not be back before the drain ends.
  // Either way every message is accounted for: delivered, or dropped because the chain halted.
  for (const m of two.messages.filter((m) => m.status !== "delivered")) t.regex(m.drop_reason!, /^chain-halted: stress-a made no block after height \d+/);
  t.log(kinds.includes("chain-resumed") ? "the chain resumed after the heal" : "the chain had not resumed when the drain ended");
});
