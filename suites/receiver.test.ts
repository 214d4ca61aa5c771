import test from "ava";
import { createWalletClient, http, parseEventLogs, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { devPrivateKey } from "../chains/devAccounts.ts";
import { coreAbi } from "../src/bridges/wormhole/core.ts";
import { deployIntegration } from "../src/bridges/wormhole/deploy.ts";
import { loadIntegration } from "../src/bridges/wormhole/integrationLoader.ts";
import { decodeTrigger, encodeTrigger } from "../src/load/payload.ts";
import { toEmitterAddress, type VaaBody } from "../src/bridges/wormhole/vaa.ts";
import { liquidationHubAbi, liquidationReceiverAbi } from "../fixtures/contracts/artifacts/index.ts";
import { chainWithCore, signedVaa, range, type TestChain } from "./helpers/chain.ts";

// Hub on Ethereum publishes through the real core; the receiver on Arbitrum verifies.
const sender = privateKeyToAccount(devPrivateKey(0)); // TEST-ONLY anvil dev key

const setupIntegration = () => loadIntegration();

/** Both chains with the built-in integration deployed and set up through its interface (the emitter registered on the receiver). */
async function setup(t: Parameters<typeof chainWithCore>[0]) {
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
async function publish(source: TestChain, hub: Hex, triggerId: bigint, destinationChain: number): Promise<VaaBody> {
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

function deliverer(destination: TestChain, receiver: Hex) {
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

test("the hub's payload is byte-for-byte the documented v1 layout", async (t) => {
  const { source, hub, destination } = await setup(t);
  const body = await publish(source, hub, 77n, destination.profile.wormholeChainId);
  const trigger = decodeTrigger(body.payload);
  t.is(trigger.triggerId, 77n);
  t.is(trigger.kind, "liquidation");
  t.is(trigger.destinationChain, 23);
  t.deepEqual(encodeTrigger(trigger), body.payload);
  t.is(body.nonce, 77);
});

test("delivers once; replays, unknown emitters and wrong destinations revert", async (t) => {
  const { source, destination, hub, receiver } = await setup(t);
  const { call, simulate } = deliverer(destination, receiver);
  const body = await publish(source, hub, 1n, destination.profile.wormholeChainId);
  const vaa = signedVaa(source.keys, range(0, 12), body);

  const [delivered] = await call("receiveMessage", vaa);
  t.is(delivered!.eventName, "TriggerDelivered");
  t.deepEqual((await setupIntegration()).delivery(delivered!), { messageId: 1, late: false }, "the integration recognises the delivery");
  t.is((delivered!.args as { triggerId: bigint }).triggerId, 1n);
  t.false((delivered!.args as { late: boolean }).late);

  // Same body signed by other guardians: same vm.hash, still a replay.
  await t.throwsAsync(simulate(signedVaa(source.keys, range(6, 18), body)), { message: /already delivered/ });
  await t.throwsAsync(simulate(signedVaa(source.keys, range(0, 12), { ...body, emitterAddress: toEmitterAddress(sender.address) })), {
    message: /unknown emitter/,
  });
  const elsewhere = await publish(source, hub, 2n, 30);
  await t.throwsAsync(simulate(signedVaa(source.keys, range(0, 12), elsewhere)), { message: /wrong destination/ });
  await t.throwsAsync(simulate(signedVaa(source.keys, range(0, 11), body)), { message: /invalid VAA: no quorum/ });
});

test("the batch entry point delivers the good VAAs and reports the others", async (t) => {
  const { source, destination, hub, receiver } = await setup(t);
  const { call } = deliverer(destination, receiver);
  const good = signedVaa(source.keys, range(0, 12), await publish(source, hub, 10n, destination.profile.wormholeChainId));
  const other = signedVaa(source.keys, range(0, 12), await publish(source, hub, 11n, destination.profile.wormholeChainId));
  await call("receiveMessage", other);
  const events = await call("receiveMessages", [good, other, "0x01"]);
  const delivered = events.filter((e) => e.eventName === "TriggerDelivered");
  const rejected = events.filter((e) => e.eventName === "TriggerRejected").map((e) => e.args as { index: bigint; reason: string });
  t.deepEqual(
    delivered.map((e) => (e.args as { triggerId: bigint }).triggerId),
    [10n],
  );
  t.deepEqual(
    rejected.map((r) => r.index),
    [1n, 2n],
  );
  t.regex(rejected[0]!.reason, /already delivered/);
  const integration = await setupIntegration();
  t.deepEqual(
    integration.rejections(events).map((r) => [r.index, integration.alreadyDelivered(r.reason)]),
    [
      [1, true],
      [2, false],
    ],
    "the integration reads the batch's rejections and which are duplicates",
  );
});
