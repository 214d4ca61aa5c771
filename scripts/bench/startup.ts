// Start-up time, ms: "evm" = 3 anvil chains + the Wormhole core + contracts + 19 guardians +
// the VAA API + the reference relayer, all ready; "cosmos" = a 4-validator localnet until
// every validator has signed a block. Prints one JSON line.
import { CosmosLocalnet } from "../../chains/cosmos.ts";
import { chainProfile } from "../../chains/profiles.ts";
import { chooseRelayer } from "../../src/bridges/wormhole/relayer/kinds/index.ts";
import { EvmStack } from "../../src/bridges/wormhole/stack.ts";

const which = process.argv[2] ?? "evm";
const started = performance.now();
if (which === "evm") {
  const stack = new EvmStack({
    chains: ["Ethereum", "Arbitrum", "Base"].map((name) => chainProfile(name as "Ethereum")),
    sources: ["Ethereum"],
    destinations: ["Arbitrum", "Base"],
    guardians: 19,
    relayer: chooseRelayer("default"),
  });
  try {
    await stack.start();
    console.log(JSON.stringify({ which, ms: performance.now() - started }));
  } finally {
    await stack.stop();
  }
} else {
  const net = new CosmosLocalnet({ chainId: "bench-a", validators: 4, blockTimeMs: 500 });
  try {
    await net.start();
    console.log(JSON.stringify({ which, ms: performance.now() - started }));
  } finally {
    await net.stop();
  }
}
