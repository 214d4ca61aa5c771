import test from "ava";
import { Anvil } from "../chains/anvil.ts";
import { chainUrlVariable } from "../chains/profiles.ts";
import { validateScenario } from "../src/scenarios.ts";
import { runScenario } from "../src/run.ts";
import { tempReports, evmStack } from "./helpers/run.ts";

// The same run against chains this harness does not start from scratch: Ethereum forked
// from an RPC (here a local anvil standing in for a real endpoint, so the test runs
// offline) and Arbitrum on an existing dev node reached by URL.
test("fork and remote chains carry messages like local ones", async (t) => {
  const origin = new Anvil({ name: "origin:Ethereum", chainId: 1, blockTimeMs: 200 });
  const devnet = new Anvil({ name: "devnet:Arbitrum", chainId: 42161, blockTimeMs: 200 });
  t.teardown(() => Promise.all([origin.stop(), devnet.stop()]));
  await Promise.all([origin.start(), devnet.start()]);
  process.env[chainUrlVariable("Ethereum", "fork")] = origin.rpcUrl;
  process.env[chainUrlVariable("Arbitrum", "remote")] = devnet.rpcUrl;

  const scenario = validateScenario(
    {
      name: "modes",
      chains: { Ethereum: { mode: "fork", blockTimeMs: 200 }, Arbitrum: { mode: "remote" } },
      routes: [{ from: "Ethereum", to: ["Arbitrum"] }],
      stages: [{ rate: 5, duration: "2s" }],
      drain: "15s",
      senders: 1,
    },
    "modes",
  );
  let forkArgs: string[] = [];
  let arbitrumSpawned = true;
  const result = await runScenario(scenario, {
    outDir: tempReports(),
    inspect: async (path) => {
      const stack = evmStack(path);
      forkArgs = stack.chain("Ethereum").anvil?.options.args ?? [];
      arbitrumSpawned = stack.chain("Arbitrum").anvil !== undefined;
    },
  });
  t.is(forkArgs[forkArgs.indexOf("--fork-url") + 1], origin.rpcUrl);
  t.false(arbitrumSpawned);
  t.is(devnet.status, "started", "the remote node is not ours to stop");
  const [stage] = result.stats.stages;
  t.is(stage!.offered, 10);
  t.is(stage!.delivered, 10, [...stage!.dropReasons].join(", "));
});

test("a fork without its URL fails naming the variable to set", async (t) => {
  delete process.env[chainUrlVariable("Base", "fork")];
  const scenario = validateScenario(
    { chains: { Base: { mode: "fork" } }, routes: [{ from: "Ethereum", to: ["Base"] }], stages: [{ rate: 1, duration: "1s" }] },
    "fork-no-url",
  );
  await t.throwsAsync(runScenario(scenario, { outDir: tempReports() }), {
    message: /Base is in fork mode but BRIDGE_STRESS_FORK_URL_BASE is not set/,
  });
});
