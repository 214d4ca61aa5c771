import test from "ava";
import { encodeAbiParameters, encodePacked, keccak256, parseAbiParameters } from "viem";
import { liquidationReceiverAbi } from "../fixtures/contracts/artifacts/index.ts";
import { loadIntegration } from "../src/bridges/wormhole/integrationLoader.ts";
import { decodeTrigger, encodeTrigger } from "../src/load/payload.ts";
import { toEmitterAddress } from "../src/bridges/wormhole/vaa.ts";
import { signedVaa, range } from "./helpers/chain.ts";
import { deliverer, publish, sender, setup } from "./helpers/liquidation.ts";

// Hub on Ethereum publishes through the real core; the receiver on Arbitrum verifies.
const setupIntegration = () => loadIntegration();

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

test("replay protection is per (emitter chain, emitter, sequence), 256 sequences to one storage slot", async (t) => {
  const { source, destination, hub, receiver } = await setup(t);
  const { call, simulate } = deliverer(destination, receiver);
  const body = await publish(source, hub, 5n, destination.profile.wormholeChainId);
  const at = (sequence: bigint) => signedVaa(source.keys, range(0, 12), { ...body, sequence });
  for (const sequence of [0n, 1n, 255n, 256n]) await call("receiveMessage", at(sequence));
  // Another body under a delivered sequence (a reorg reuses sequences) is the same message here.
  await t.throwsAsync(simulate(signedVaa(source.keys, range(0, 12), { ...body, sequence: 1n, nonce: body.nonce + 1 })), { message: /already delivered/ });
  const isDelivered = (sequence: bigint) =>
    destination.client.readContract({
      address: receiver,
      abi: liquidationReceiverAbi,
      functionName: "isDelivered",
      args: [body.emitterChain, body.emitterAddress, sequence],
    });
  t.deepEqual(await Promise.all([0n, 1n, 2n, 255n, 256n, 257n].map(isDelivered)), [true, true, false, true, true, false]);
  // deliveredBits is the receiver's second storage variable (slot 1): word keccak256(chain, emitter, sequence / 256).
  const slotOf = (word: bigint) =>
    keccak256(
      encodeAbiParameters(parseAbiParameters("bytes32, uint256"), [
        keccak256(encodePacked(["uint16", "bytes32", "uint64"], [body.emitterChain, body.emitterAddress, word])),
        1n,
      ]),
    );
  const stored = async (word: bigint) => BigInt((await destination.client.getStorageAt({ address: receiver, slot: slotOf(word) })) ?? "0x0");
  t.is(await stored(0n), (1n << 255n) | 0b11n, "sequences 0, 1 and 255 share the first word");
  t.is(await stored(1n), 1n, "sequence 256 starts the next");
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
