import { createWalletClient, http, parseEventLogs, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { devPrivateKey } from "../../chains/devAccounts.ts";
import { coreAbi } from "../../src/bridges/wormhole/core.ts";
import { deployIntegration } from "../../src/bridges/wormhole/deploy.ts";
import { loadIntegration } from "../../src/bridges/wormhole/integrationLoader.ts";
import { toEmitterAddress, type VaaBody } from "../../src/bridges/wormhole/vaa.ts";
import { liquidationHubAbi, liquidationReceiverAbi } from "../../fixtures/contracts/artifacts/index.ts";
import { chainWithCore, type TestChain } from "./chain.ts";

// The built-in pair on two chains with the real core: the hub on Ethereum publishes, the receiver on
// Arbitrum verifies (suites/receiver.test.ts, suites/receiver-hostile.test.ts).
export const sender = privateKeyToAccount(devPrivateKey(0)); // TEST-ONLY anvil dev key

/** Both chains with the built-in integration deployed and set up through its interface (the emitter registered on the receiver). */
export async function setup(t: Parameters<typeof chainWithCore>[0]) {
  const [source, destination] = await Promise.all([chainWithCore(t, "Ethereum"), chainWithCore(t, "Arbitrum")]);
  const integration = await loadIntegration();
  const chain = ({ profile }: TestChain, isSource: boolean) => ({
    name: profile.name,
    wormholeChainId: profile.wormholeChainId,
    evmChainId: profile.evmChainId,
    coreAddress: profile.coreAddress,
    isSource,
    isDestination: !isSource,
  });
  const contracts = await deployIntegration(integration, [
    { chain: chain(source, true), rpcUrl: source.anvil.rpcUrl },
    { chain: chain(destination, false), rpcUrl: destination.anvil.rpcUrl },
  ]);
  return { source, destination, hub: contracts.Ethereum!.emitter!, receiver: contracts.Arbitrum!.receiver!, integration };
}

/** Publishes a trigger through the hub and returns the VAA body a guardian would sign. */
export async function publish(source: TestChain, hub: Hex, triggerId: bigint, destinationChain: number): Promise<VaaBody> {
  const wallet = createWalletClient({ account: sender, transport: http(source.anvil.rpcUrl) });
  const hash = await wallet.writeContract({
    chain: null,
    address: hub,
    abi: liquidationHubAbi,
    functionName: "trigger",
    args: [triggerId, 1, `0x${"ab".repeat(32)}`, sender.address, 123n * 10n ** 8n, BigInt(Date.now() + 60_000), destinationChain, 200, "0x"],
  });
  const receipt = await source.client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  const [log] = parseEventLogs({ abi: coreAbi, logs: receipt.logs, eventName: "LogMessagePublished" });
  const block = await source.client.getBlock({ blockNumber: receipt.blockNumber });
  return {
    timestamp: Number(block.timestamp),
    nonce: log!.args.nonce,
    emitterChain: source.profile.wormholeChainId,
    emitterAddress: toEmitterAddress(log!.args.sender),
    sequence: log!.args.sequence,
    consistencyLevel: log!.args.consistencyLevel,
    payload: new Uint8Array(Buffer.from(log!.args.payload.slice(2), "hex")),
  };
}

export function deliverer(destination: TestChain, receiver: Hex) {
  const wallet = createWalletClient({ account: sender, transport: http(destination.anvil.rpcUrl) });
  const call = async (functionName: "receiveMessage" | "receiveMessages", arg: any) => {
    const hash = await wallet.writeContract({ chain: null, address: receiver, abi: liquidationReceiverAbi, functionName, args: [arg], gas: 2_000_000n });
    const receipt = await destination.client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    return parseEventLogs({ abi: liquidationReceiverAbi, logs: receipt.logs });
  };
  const simulate = (vaa: Hex) =>
    destination.client.simulateContract({ account: sender, address: receiver, abi: liquidationReceiverAbi, functionName: "receiveMessage", args: [vaa] });
  return { call, simulate };
}
