import test from "ava";
import { runLocal } from "./helpers/run.ts";

// Observation batching (Wormhole's processor: a guardian publishes its observations as one gossip
// message per window of up to 1 s) against immediate gossip, on the same load: the batches are
// where the time goes between a message's block and its quorum.
async function quorumP50(batching: false | Record<string, never>) {
  const { result, rows, survivors } = await runLocal({
    name: `gossip-batching-${batching ? "on" : "off"}`,
    seed: 5,
    stages: [{ rate: 20, duration: "3s" }],
    drain: "5s",
    guardianNetwork: { batching },
  });
  const hop = rows("hops.csv").find((h) => h.stage === "0" && h.hop === "guardian_quorum")!;
  return { p50: Number(hop.p50_ms), delivered: result.stats.total.delivered, offered: result.stats.total.offered, survivors };
}

test.serial("observation batching adds the wait for the 13th guardian's window to guardian_quorum; immediate gossip does not", async (t) => {
  const immediate = await quorumP50(false);
  const batched = await quorumP50({});
  for (const run of [immediate, batched]) {
    t.is(run.delivered, run.offered);
    t.deepEqual(run.survivors, []);
  }
  // Immediate: quorum within a poll or two of the block. Batched: the 19 guardians' 1 s windows
  // end at phases spread evenly over the window, so whenever a message is observed the 13th
  // window to end does so 0.58–0.70 s later: that much more, never a whole window.
  t.true(immediate.p50 < 150, `immediate: guardian_quorum p50 ${immediate.p50} ms`);
  t.true(batched.p50 - immediate.p50 >= 450, `batched: guardian_quorum p50 ${batched.p50} ms against ${immediate.p50} ms`);
  t.true(batched.p50 - immediate.p50 <= 900, `batched: guardian_quorum p50 ${batched.p50} ms against ${immediate.p50} ms`);
  t.log(`guardian_quorum p50: immediate ${immediate.p50} ms, batched ${batched.p50} ms`);
});
