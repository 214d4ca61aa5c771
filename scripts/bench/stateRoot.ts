// How anvil's time to mine a block grows with the contracts' storage (README "Long runs"): one
// anvil, mined by hand (`--no-mining`), with a contract that writes fresh storage slots; at each
// slot count, the median time of 10 `evm_mine` calls of an empty block and the process's RSS,
// once keeping no past state (bare `--prune-history`; destinations keep 2 since 2026-12-03) and once
// keeping 10. Prints one line per point, then one JSON line.
//
//   node --import tsx scripts/bench/stateRoot.ts
import { createRequire } from "node:module";
import { Anvil } from "../../chains/anvil.ts";
import { rpc } from "../../src/infra/rpc.ts";
import { processRssBytes } from "../../src/measure/memory.ts";

const solc = createRequire(import.meta.url)("solc") as { compile(input: string): string };
// fill(k) sets k slots never written before (after the ones earlier calls wrote).
const SOURCE = `pragma solidity ^0.8.19;
contract Filler {
  uint256 public n;
  function fill(uint256 k) external {
    uint256 s = n;
    for (uint256 i = 0; i < k; i++) { assembly { sstore(add(add(s, i), 0x1000000), 1) } }
    n = s + k;
  }
}`;
const FILL = "0x3fda5389"; // fill(uint256)
const PER_TX = 1000; // 1,000 fresh slots: ~22 M gas
const POINTS = [0, 15_000, 30_000, 60_000, 120_000];

const compiled = JSON.parse(
  solc.compile(
    JSON.stringify({
      language: "Solidity",
      sources: { "F.sol": { content: SOURCE } },
      settings: { outputSelection: { "*": { "*": ["evm.bytecode.object"] } } },
    }),
  ),
);
const bytecode = `0x${compiled.contracts["F.sol"].Filler.evm.bytecode.object}`;

async function measure(states: number): Promise<Array<{ slots: number; mineMs: number; rssMb: number }>> {
  const anvil = new Anvil({ mining: "clock", gasLimit: 300_000_000n, history: { states, transactionBlocks: 512 } });
  await anvil.start();
  try {
    const url = anvil.rpcUrl;
    const [from] = await rpc<string[]>(url, "eth_accounts", []);
    const deploy = await rpc<string>(url, "eth_sendTransaction", [{ from, data: bytecode, gas: "0x1000000" }]);
    await rpc(url, "evm_mine", []);
    const { contractAddress: to } = await rpc<{ contractAddress: string }>(url, "eth_getTransactionReceipt", [deploy]);
    const points = [];
    let slots = 0;
    for (const target of POINTS) {
      for (; slots < target; slots += PER_TX) {
        const data = `${FILL}${PER_TX.toString(16).padStart(64, "0")}`;
        await rpc(url, "eth_sendTransaction", [{ from, to, data, gas: `0x${(30_000_000).toString(16)}` }]);
        await rpc(url, "evm_mine", []);
      }
      const times: number[] = [];
      for (let i = 0; i < 10; i++) {
        const started = performance.now();
        await rpc(url, "evm_mine", []);
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const point = { slots, mineMs: +times[5]!.toFixed(1), rssMb: Math.round((processRssBytes(anvil.pid!) ?? 0) / 2 ** 20) };
      console.log(`states kept ${states}: ${point.slots} slots, empty block mined in ${point.mineMs} ms, RSS ${point.rssMb} MB`);
      points.push(point);
    }
    return points;
  } finally {
    await anvil.stop();
  }
}

const none = await measure(0);
const ten = await measure(10);
console.log(JSON.stringify({ none, ten }));
