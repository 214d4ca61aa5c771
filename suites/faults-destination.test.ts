import test from "ava";
import { failedThresholds, meanBetween, p50Between, runLocal, runShipped } from "./helpers/run.ts";

// Pressure on the destination chain itself while the bridge delay is measured: stages of
// 2, 2 and 4 s at 10 msgs/s, the fault on Base from 1.5 s to 5 s (congestion: the shipped
// scenario fault-congestion, laid out so).
async function runWithFault(fault: Record<string, unknown>) {
  return windows(
    await runLocal({
      name: `fault-${fault.kind}`,
      seed: 23,
      stages: [
        { rate: 10, duration: "2s" },
        { rate: 10, duration: "2s" },
        { rate: 10, duration: "4s" },
      ],
      drain: "12s",
      faults: [{ at: "1.5s", for: "3.5s", target: "Base", ...fault }],
    }),
  );
}

/** The run's messages, with the p50 delay before the fault (0–1.2 s) and under it (2–3.5 s). */
function windows({ result, rows, survivors }: Awaited<ReturnType<typeof runLocal>>) {
  const messages = rows("messages.csv");
  return { result, survivors, messages, clean: p50Between(messages, 0, 1200), faulted: p50Between(messages, 2000, 3500) };
}

test.serial("a base-fee spike above the relayer's max fee: refused submissions, give-ups dropped with that reason", async (t) => {
  // The default relayer preset pays at most 200 gwei and retries 5 times over about 4 s.
  const { result, messages, survivors } = await runWithFault({ kind: "gas-spike", gwei: 1000 });
  t.deepEqual(survivors, []);
  const total = result.stats.total;
  t.is(total.delivered + total.dropped, messages.length);
  const dropped = messages.filter((m) => m.status === "dropped");
  t.true(dropped.length >= 5, `${dropped.length} dropped`);
  for (const m of dropped) t.regex(m.drop_reason!, /^relayer-gave-up: .*max fee per gas less than block base fee/);
  // Once the fee has fallen back (12.5 % a block), deliveries resume.
  const late = messages.filter((m) => Number(m.intended_at_ms) >= 6500);
  t.true(late.length > 0 && late.every((m) => m.status === "delivered"));
});

test.serial("a slower destination block time adds about the difference to the delay", async (t) => {
  const { result, messages, survivors } = await runWithFault({ kind: "block-time", ms: 1000 });
  t.deepEqual(survivors, []);
  // Waiting for the next block goes from ~100 ms to ~500 ms on average. The mean over the
  // faulted window, not the median: which side of a block boundary the median message falls
  // on depends on the block phase (one CI run saw only +146 ms at p50).
  const clean = meanBetween(messages, 0, 1200);
  // Messages meant for 2–4 s reach the destination by ~4.3 s: all of them wait for 1 s blocks
  // (the fault ends at 5 s; later ones meet 200 ms blocks again and would dilute the mean).
  const faulted = meanBetween(messages, 2000, 4000);
  t.log(`mean ${clean.toFixed(0)} ms → ${faulted.toFixed(0)} ms with 1 s blocks`);
  // About +400 ms expected; measured +190 (in CI, with a window reaching past the heal) to +500.
  t.true(faulted - clean >= 150 && faulted - clean <= 1500, `mean ${clean} ms → ${faulted} ms`);
  t.is(result.stats.total.dropped, 0);
});

test.serial("background congestion beyond the block space delays deliveries until its backlog drains; nothing is lost", async (t) => {
  // Other accounts offer 1.5 blocks' worth of gas-burning transactions a block, tipping 10 gwei
  // (the relayer tips 1): blocks fill with them first and deliveries wait.
  const { result, survivors, messages, clean, faulted } = windows(await runShipped("fault-congestion"));
  t.deepEqual(failedThresholds(result), [], "the shipped scenario's thresholds hold");
  t.deepEqual(survivors, []);
  t.log(`p50 ${clean} ms → ${faulted} ms in congestion`);
  t.true(faulted - clean >= 1000, `p50 ${clean} ms → ${faulted} ms`);
  t.is(result.stats.total.dropped, 0);
  // The fault ends at 5 s and its backlog (half a block a block, 3.5 s long) drains in under 2 s.
  const after = p50Between(messages, 7000, 8000);
  t.true(after - clean < 250, `p50 ${after} ms after the backlog drained vs ${clean} ms before`);
});
