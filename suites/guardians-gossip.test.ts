import test from "ava";
import { runLocal } from "./helpers/run.ts";

// Observation batching (Wormhole's processor: a guardian publishes its observations as one gossip
// message per window of up to 1 s): the batches are where the time goes between a message's
// block and its quorum. Without batching that hop is a poll or two (guardian_quorum p50 well
// below 150 ms in the flat runs of guardians-regions and faults-guardians).
test.serial("observation batching adds the wait for the 13th guardian's window to guardian_quorum", async (t) => {
  const { result, rows, survivors } = await runLocal({
    name: "gossip-batching",
    seed: 5,
    stages: [{ rate: 20, duration: "3s" }],
    drain: "5s",
    guardianNetwork: { batching: {} },
  });
  t.is(result.stats.total.delivered, result.stats.total.offered);
  t.deepEqual(survivors, []);
  const p50 = Number(rows("hops.csv").find((h) => h.stage === "0" && h.hop === "guardian_quorum")!.p50_ms);
  // The 19 guardians' 1 s windows end at phases spread evenly over the window, so whenever a
  // message is observed the 13th window to end does so 0.58–0.70 s later: that much, plus the
  // guardians' view lags and a poll, never a whole window.
  t.true(p50 >= 500 && p50 <= 950, `guardian_quorum p50 ${p50} ms`);
  t.log(`guardian_quorum p50 with batching: ${p50} ms`);
});
