import test from "ava";
import { runLocal } from "./helpers/run.ts";

// The serial relayer preset submits one VAA at a time and waits for its block: about
// 1000 / (block time + polling) deliveries per second. One stage well below that, one
// well above it.
test("a stage offered above the relayer's capacity is unsustainable; one below is not", async (t) => {
  const { result } = await runLocal({
    name: "capacity-probe",
    seed: 5,
    stages: [
      { rate: 1, duration: "6s" },
      { rate: 15, duration: "6s" },
    ],
    drain: "60s",
    relayer: "serial",
  });
  const [below, above] = result.stats.stages;
  const [judgedBelow, judgedAbove] = result.judgements;
  t.deepEqual(judgedBelow!.failed, [], `below capacity: delay slope ${judgedBelow!.figures.delaySlope}`);
  t.true(judgedAbove!.failed.includes("backlog-growing"), `above capacity: delay slope ${judgedAbove!.figures.delaySlope}, failed ${judgedAbove!.failed}`);
  t.is(result.verdict.capacity, 1);
  t.is(result.verdict.failureThreshold, 15);
  // Slow is not lossy: the backlog still drains.
  t.is(result.stats.total.dropped, 0);
  t.true(above!.delay.percentile(99)! > 3 * below!.delay.percentile(99)!);
});
