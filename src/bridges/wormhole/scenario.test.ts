import test from "ava";
import { validateScenario } from "../../scenarios.ts";
import { applyChainFlag, forkBlockProblems, scenarioMessageFee, type WormholeScenario } from "./scenario.ts";

const scenario = () =>
  validateScenario({ routes: [{ from: "Ethereum", to: ["Arbitrum"] }], stages: [{ rate: 1, duration: "1s" }] }, "flags") as WormholeScenario;

test("--fork-block and --chain-mode set the chain's settings; a forked chain's block is then accepted", (t) => {
  const s = scenario();
  applyChainFlag(s, "fork-block", "Ethereum=21000000");
  t.deepEqual(s.chains.Ethereum, { forkBlock: 21_000_000 });
  t.is(forkBlockProblems(s.chains)[0]?.allowed.startsWith("is for a forked chain, and Ethereum is in local mode"), true);
  applyChainFlag(s, "chain-mode", "Ethereum=fork");
  t.deepEqual(s.chains.Ethereum, { forkBlock: 21_000_000, mode: "fork" });
  t.deepEqual(forkBlockProblems(s.chains), []);
});

test("bad --fork-block and --chain-mode values name the flag and the fix", (t) => {
  const cases: Array<[Parameters<typeof applyChainFlag>[1], string, RegExp]> = [
    ["fork-block", "Ethereum=1.5", /--fork-block Ethereum=1\.5: write CHAIN=N with N a block number \(a whole number ≥ 0\), e\.g\. Ethereum=21000000/],
    ["fork-block", "Ethereum=-3", /--fork-block Ethereum=-3: write CHAIN=N/],
    ["fork-block", "Ethereum=latest", /--fork-block Ethereum=latest: write CHAIN=N/],
    ["fork-block", "Ethereum", /--fork-block Ethereum: write CHAIN=N/],
    ["fork-block", "Base=5", /--fork-block Base=5: Base is not in the scenario's routes/],
    ["chain-mode", "Ethereum=cloud", /--chain-mode Ethereum=cloud: write CHAIN=MODE with MODE one of local, fork, remote/],
  ];
  for (const [flag, setting, message] of cases) t.throws(() => applyChainFlag(scenario(), flag, setting), { message }, setting);
});

test("a message fee is wei, from a number or a decimal string past 2^53", (t) => {
  t.is(scenarioMessageFee({}), undefined);
  t.is(scenarioMessageFee({ messageFee: 0 }), 0n);
  const big = validateScenario(
    { routes: [{ from: "Ethereum", to: ["Arbitrum"] }], stages: [{ rate: 1, duration: "1s" }], messageFee: "100000000000000000000" },
    "fee",
  ) as WormholeScenario;
  t.is(scenarioMessageFee(big), 10n ** 20n);
});
