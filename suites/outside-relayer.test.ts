import test from "ava";
import { runLocal } from "./helpers/run.ts";

test("an outside relayer started as a command delivers, is measured on-chain, and is stopped with the stack", async (t) => {
  // fixtures/relayers/outside/batching.mjs knows the harness only through its environment,
  // and delivers many VAAs per receiveMessages transaction.
  const { result, rows, survivors } = await runLocal({
    name: "outside-relayer",
    seed: 43,
    relayer: "outside/batching",
    stages: [{ rate: 20, duration: "3s" }],
    drain: "20s",
  });
  const messages = rows("messages.csv");
  t.is(
    result.stats.total.delivered,
    messages.length,
    messages
      .filter((m) => m.status !== "delivered")
      .map((m) => m.drop_reason)
      .join("; "),
  );
  for (const m of messages) {
    t.regex(m.delivery_tx!, /^0x[0-9a-f]{64}$/, "seen on the destination chain");
    t.is(m.relayer_submitted_at_ms, "", "an outside relayer reports nothing to the harness");
  }
  const transactions = new Set(messages.map((m) => m.delivery_tx)).size;
  t.log(`${messages.length} deliveries in ${transactions} transactions`);
  t.true(transactions < messages.length / 2, "batched: several deliveries per transaction");
  t.deepEqual(survivors, [], "the outside relayer and the chains are stopped");
});
