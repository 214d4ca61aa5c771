import test from "ava";
import { setTimeout as sleep } from "node:timers/promises";
import { rpc } from "../src/infra/rpc.ts";
import { Anvil, anvilHistory } from "./anvil.ts";
import { privateKeyToAccount } from "viem/accounts";
import { devPrivateKey } from "./devAccounts.ts";

type Block = { hash: string; transactions: string[] };

test("an anvil with a bounded history lets old transactions go but keeps their blocks' hashes, and reorgs within its states", async (t) => {
  const anvil = new Anvil({ name: "anvil:history", mining: "clock", history: { states: 4, transactionBlocks: 3 } });
  t.teardown(() => anvil.stop());
  await anvil.start();
  const url = anvil.rpcUrl;
  const from = privateKeyToAccount(devPrivateKey(0)).address;
  const tx = await rpc<string>(url, "eth_sendTransaction", [{ from, to: from, value: "0x1" }]);
  await rpc(url, "evm_mine", []);
  const first = await rpc<Block>(url, "eth_getBlockByNumber", ["0x1", false]);
  t.deepEqual(first.transactions, [tx]);
  t.truthy(await rpc(url, "eth_getTransactionReceipt", [tx]), "its receipt while the block is within the keeper");
  for (let i = 0; i < 5; i++) await rpc(url, "evm_mine", []);
  t.is(await rpc(url, "eth_getTransactionReceipt", [tx]), null, "let go 3 blocks later");
  t.is(await rpc(url, "eth_getTransactionByHash", [tx]), null);
  const later = await rpc<Block>(url, "eth_getBlockByNumber", ["0x1", false]);
  t.is(later.hash, first.hash, "the block keeps its hash: the unscheduled-reorg check still compares it");
  // A reorg within the kept states works; reading a state older than those fails.
  await t.notThrowsAsync(rpc(url, "anvil_reorg", [2, []]));
  await t.throwsAsync(rpc(url, "eth_getBalance", [from, "0x1"]));
});

test('a destination\'s history (anvilHistory): calls at "latest" do not fail while blocks are mined', async (t) => {
  // anvil resolves "latest" to a number, then reads that block's state: a block mined in between
  // makes it a past state, which the bare --prune-history (none kept) has already dropped
  // ("BlockOutOfRangeError: block height is N+1 but requested was N"). Blocks every 25 ms here,
  // 8 to 20 times as often as a run's chains: a call would have to wait in anvil for two of them.
  const anvil = new Anvil({ name: "anvil:latest", mining: "clock", history: anvilHistory({ blockTimeMs: 250, lookBackMs: 0 }) });
  t.teardown(() => anvil.stop());
  await anvil.start();
  const url = anvil.rpcUrl;
  const end = performance.now() + 2000;
  let mined = 0;
  const miner = (async () => {
    for (; performance.now() < end; mined++) {
      await rpc(url, "evm_mine", []);
      await sleep(25);
    }
  })();
  const failures: string[] = [];
  let calls = 0;
  // Each caller's calls go one at a time (rpc batches the calls made in the same turn into one request).
  const caller = async () => {
    for (; performance.now() < end; calls++) {
      await new Promise((resolve) => setImmediate(resolve));
      await rpc(url, "eth_call", [{ to: "0x0000000000000000000000000000000000000001", data: "0x" }, "latest"]).catch((err: Error) =>
        failures.push(err.message),
      );
    }
  };
  await Promise.all([miner, ...Array.from({ length: 8 }, caller)]);
  t.log(`${calls} calls while ${mined} blocks were mined`);
  t.true(mined > 20 && calls > 500, `${calls} calls, ${mined} blocks: too few to show the race`);
  t.deepEqual(failures.slice(0, 3), []);
});
