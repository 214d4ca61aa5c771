import test from "ava";
import { isAlive } from "../src/infra/instance.ts";
import { failedThresholds, runShipped, evmStack } from "./helpers/run.ts";

test("relayer killed with SIGKILL mid-run and restarted from its checkpoint: zero lost, no second delivery", async (t) => {
  const pids: number[] = [];
  // fixtures/scenarios/fault-relayer-restart.json: 10 msgs/s for 8 s, the relayer down from 2 s to 4 s.
  const { result, rows, survivors } = await runShipped(
    "fault-relayer-restart",
    {},
    {
      inspect: async (path) => {
        const stack = evmStack(path);
        if (stack.relayerProcess?.pid) pids.push(stack.relayerProcess.pid);
      },
    },
  );
  t.deepEqual(failedThresholds(result), [], "the shipped scenario's thresholds hold");
  const messages = rows("messages.csv");
  t.deepEqual(
    messages.filter((m) => m.status !== "delivered").map((m) => `${m.message_id} ${m.drop_reason}`),
    [],
    "nothing lost",
  );
  t.is(result.stats.total.duplicates, 0, "no message delivered twice");
  t.deepEqual(
    rows("events.csv").map((e) => e.event),
    ["fault-start", "fault-end"],
  );
  // Messages signed while the relayer was down were delivered after the restart. (Their
  // relayer-reported times may be missing: a process's reports can trail the on-chain truth.)
  const waited = messages.filter((m) => Number(m.vaa_ready_at_ms) > 2300 && Number(m.vaa_ready_at_ms) < 3700);
  t.true(waited.length >= 8);
  for (const m of waited) t.true(Number(m.delivered_at_ms) >= 4000, `message ${m.message_id} delivered at ${m.delivered_at_ms} ms`);
  t.is(pids.length, 1);
  t.false(isAlive(pids[0]!), "the restarted relayer is stopped with the stack");
  t.deepEqual(survivors, []);
});
