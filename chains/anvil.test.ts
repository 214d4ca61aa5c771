import test from "ava";
import { rpc } from "../src/infra/rpc.ts";
import { Anvil } from "./anvil.ts";
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
