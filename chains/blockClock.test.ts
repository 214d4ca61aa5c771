import test from "ava";
import { setTimeout as sleep } from "node:timers/promises";
import { Anvil, anvilArgs, anvilHistory, MIN_HISTORY_STATES, MIN_SOURCE_STATES, MIN_TRANSACTION_BLOCKS } from "./anvil.ts";
import { BlockClock } from "./blockClock.ts";
import { rpc } from "../src/infra/rpc.ts";

/** When each new block of the chain at `url` was first seen, polling every 2 ms for `forMs`. */
async function arrivals(url: string, forMs: number): Promise<number[]> {
  const seen: number[] = [];
  let last = BigInt(await rpc<string>(url, "eth_blockNumber", []));
  for (const end = performance.now() + forMs; performance.now() < end; await sleep(2)) {
    const head = BigInt(await rpc<string>(url, "eth_blockNumber", []));
    if (head > last) seen.push(performance.now());
    last = head;
  }
  return seen;
}

/** Where in a period of `ms` the times fall: their circular mean, 0 ≤ phase < ms. */
function phase(times: number[], ms: number): number {
  let cos = 0;
  let sin = 0;
  for (const time of times) {
    cos += Math.cos((2 * Math.PI * time) / ms);
    sin += Math.sin((2 * Math.PI * time) / ms);
  }
  return ((((Math.atan2(sin, cos) / (2 * Math.PI)) * ms) % ms) + ms) % ms;
}

/** The distance between two phases on a circle of `ms`. */
const apart = (a: number, b: number, ms: number) => Math.min(Math.abs(a - b), ms - Math.abs(a - b));

test("history: --prune-history and --transaction-block-keeper from anvilHistory, which keeps a reorg's depth, the 512 blocks and the look-back", (t) => {
  const args = anvilArgs({ mining: "clock", history: { states: 70, transactionBlocks: 600 } });
  t.deepEqual(args.slice(args.indexOf("--prune-history"), args.indexOf("--prune-history") + 4), ["--prune-history", "70", "--transaction-block-keeper", "600"]);
  t.false(anvilArgs({ mining: "clock" }).includes("--prune-history"), "without history anvil keeps its own defaults");
  // No past states: the bare flag (anvil 1.7.1 hangs on `--prune-history 0`), followed by another flag so it takes no value.
  const none = anvilArgs({ mining: "clock", history: { states: 0, transactionBlocks: 600 } });
  t.deepEqual(none.slice(none.indexOf("--prune-history"), none.indexOf("--prune-history") + 3), ["--prune-history", "--transaction-block-keeper", "600"]);
  t.throws(() => anvilArgs({ history: { states: -1, transactionBlocks: 600 } }), { message: /anvil history\.states: -1; it must be a whole number ≥ 0/ });
  t.throws(() => anvilArgs({ history: { states: 1, transactionBlocks: 0 } }), {
    message: /anvil history\.transactionBlocks: 0; it must be a whole number ≥ 1/,
  });
  t.deepEqual(anvilHistory({ blockTimeMs: 250, lookBackMs: 0 }), { states: MIN_HISTORY_STATES, transactionBlocks: MIN_TRANSACTION_BLOCKS });
  t.deepEqual(anvilHistory({ blockTimeMs: 250, lookBackMs: 0, source: true }), { states: MIN_SOURCE_STATES, transactionBlocks: MIN_TRANSACTION_BLOCKS });
  t.deepEqual(anvilHistory({ blockTimeMs: 250, deepestReorg: 100, lookBackMs: 0, source: true }), { states: 102, transactionBlocks: 512 });
  // 6 minutes of 250 ms blocks: 1,440; a reorg deeper than the window widens it.
  t.deepEqual(anvilHistory({ blockTimeMs: 250, deepestReorg: 3, lookBackMs: 360_000, source: true }), { states: 64, transactionBlocks: 1440 });
  t.deepEqual(anvilHistory({ blockTimeMs: 1000, deepestReorg: 900, lookBackMs: 1_000 }), { states: 902, transactionBlocks: 902 });
  t.deepEqual(anvilHistory({ blockTimeMs: 250, deepestReorg: 3, lookBackMs: 60_000 }), { states: 5, transactionBlocks: 512 });
  t.deepEqual(
    anvilHistory({ blockTimeMs: 250, lookBackMs: 60_000 }),
    { states: 2, transactionBlocks: 512 },
    'a destination keeps the 2 past states a call at "latest" may race',
  );
});

test("mining clock: anvil gets --no-mining instead of --block-time", (t) => {
  t.false(anvilArgs({ mining: "clock" }).includes("--block-time"));
  t.true(anvilArgs({ mining: "clock" }).includes("--no-mining"));
  t.deepEqual(anvilArgs({ blockTimeMs: 200 }).slice(6, 8), ["--block-time", "0.2"]);
});

test.serial("two chains on one block clock produce their blocks at the same instants, also after a block-time change", async (t) => {
  // Started one after the other with a pause between: with anvil's own timers their blocks would fall that far apart.
  const chains: Anvil[] = [];
  t.teardown(() => Promise.all(chains.map((c) => c.stop())));
  for (const chainId of [1, 8453]) {
    const anvil = new Anvil({ name: `anvil:${chainId}`, chainId, mining: "clock" });
    chains.push(anvil);
    await anvil.start();
    await sleep(90);
  }
  const [a, b] = chains.map((c) => c.rpcUrl) as [string, string];
  t.is(await rpc<string>(a, "eth_blockNumber", []), "0x0", "nothing mines before the clock starts");
  const clock = new BlockClock([a, b].map((rpcUrl) => ({ rpcUrl, blockTimeMs: 200 })));
  t.teardown(() => clock.stop());
  await clock.start();
  t.is(clock.status, "started");

  const [seenA, seenB] = await Promise.all([arrivals(a, 2_000), arrivals(b, 2_000)]);
  t.log(`phases ${phase(seenA, 200).toFixed(0)} and ${phase(seenB, 200).toFixed(0)} ms of 200`);
  // 2 s at 200 ms: about 10 blocks each. A tick the machine delays is skipped, not made up, but a block mined late
  // lets the next tick's come soon after, and the 2 s window is the poller's: on a busy machine a few more are seen.
  for (const seen of [seenA, seenB]) t.true(seen.length >= 7 && seen.length <= 15, `${seen.length} blocks`);
  t.true(apart(phase(seenA, 200), phase(seenB, 200), 200) < 25, "same instants, within the 2 ms polling and the machine's jitter");
  // Every block made is reported with its lateness after its tick: one per block, none before its tick.
  const late = clock.takeLateness();
  for (const url of [a, b]) {
    const made = Number(BigInt(await rpc<string>(url, "eth_blockNumber", [])));
    const reported = late.get(url) ?? [];
    t.true(reported.length >= 7 && reported.length <= made, `${reported.length} lateness values for ${made} blocks`);
    t.true(
      reported.every((ms) => ms >= 0 && ms < 2_000),
      `lateness between 0 and 2 s: ${reported.map((ms) => ms.toFixed(1)).join(", ")}`,
    );
  }
  t.true((clock.takeLateness().get(a)?.length ?? 0) <= 2, "taken: the next call holds only the blocks made since");

  // A block-time change (what a block-time fault does) runs on its own period, and back on the shared ticks afterwards.
  clock.setBlockTime(b, 100);
  const faster = await arrivals(b, 1_500);
  t.true(faster.length >= 11, `${faster.length} blocks in 1.5 s at 100 ms`);
  clock.setBlockTime(b, 200);
  const [againA, againB] = await Promise.all([arrivals(a, 1_600), arrivals(b, 1_600)]);
  t.true(apart(phase(againA, 200), phase(againB, 200), 200) < 25);
  t.throws(() => clock.setBlockTime(b, 0), { message: /block time 0 ms .* must be a positive number of ms/ });

  await clock.stop();
  t.is(clock.status, "stopped");
  const head = await rpc<string>(a, "eth_blockNumber", []);
  await sleep(450);
  t.is(await rpc<string>(a, "eth_blockNumber", []), head, "no blocks once the clock is stopped");
});
