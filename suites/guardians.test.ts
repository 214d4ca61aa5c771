import test from "ava";
import { once } from "node:events";
import { createWalletClient, http, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { devPrivateKey } from "../chains/devAccounts.ts";
import { coreAbi } from "../src/bridges/wormhole/core.ts";
import { GuardianNetwork } from "../src/bridges/wormhole/guardians/guardianNetwork.ts";
import type { SignedVaa } from "../src/bridges/wormhole/guardians/vaaStore.ts";
import { VaaApi } from "../src/bridges/wormhole/guardians/vaaApi.ts";
import { parseVaa, toEmitterAddress } from "../src/bridges/wormhole/vaa.ts";
import { chainWithCore, type TestChain } from "./helpers/chain.ts";
import * as api from "@wormhole-foundation/sdk-connect/whscan-api";
import { UniversalAddress } from "@wormhole-foundation/sdk-definitions";

const publisher = privateKeyToAccount(devPrivateKey(18)); // TEST-ONLY anvil dev key

async function network(t: Parameters<typeof chainWithCore>[0]) {
  const chain = await chainWithCore(t, "Ethereum");
  const guardians = new GuardianNetwork({
    chains: [{ wormholeChainId: chain.profile.wormholeChainId, rpcUrl: chain.anvil.rpcUrl, coreAddress: chain.profile.coreAddress }],
    guardianKeys: chain.keys,
  });
  t.teardown(() => guardians.stop());
  await guardians.start();
  return { chain, guardians };
}

/** Publishes straight through the core, as any emitter contract would. */
async function publish(chain: TestChain, payload: Hex, consistencyLevel: number) {
  const wallet = createWalletClient({ account: publisher, transport: http(chain.anvil.rpcUrl) });
  const hash = await wallet.writeContract({
    chain: null,
    address: chain.profile.coreAddress,
    abi: coreAbi,
    functionName: "publishMessage",
    args: [0, payload, consistencyLevel],
  });
  return chain.client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
}

function nextVaa(guardians: GuardianNetwork): Promise<SignedVaa> {
  return once(guardians, "vaa").then(([vaa]) => vaa as SignedVaa);
}

test("every guardian observes; the VAA has exactly quorum distinct signatures and the core accepts it", async (t) => {
  const { chain, guardians } = await network(t);
  const observers = new Set<number>();
  guardians.on("observed", (o) => observers.add(o.guardianIndex));
  const signed = nextVaa(guardians);
  await publish(chain, "0xc0ffee", 200);
  const vaa = await signed;
  const parsed = parseVaa(vaa.bytes);
  t.is(parsed.signatures.length, 13);
  t.is(new Set(parsed.signatures.map((s) => s.guardianIndex)).size, 13);
  t.deepEqual(Buffer.from(vaa.payload), Buffer.from([0xc0, 0xff, 0xee]));
  t.is(vaa.emitterAddress, toEmitterAddress(publisher.address));
  t.true(vaa.readyAt >= vaa.firstObservedAt);
  const [, valid, reason] = (await chain.client.readContract({
    address: chain.profile.coreAddress,
    abi: coreAbi,
    functionName: "parseAndVerifyVM",
    args: [`0x${Buffer.from(vaa.bytes).toString("hex")}`],
  })) as readonly [unknown, boolean, string];
  t.true(valid, reason);
  // The slower guardians still report their observations after quorum.
  while (observers.size < 19) await once(guardians, "observed");
  t.is(observers.size, 19);
});

test("a finalized-level message is signed only once its block is finalized", async (t) => {
  const { chain, guardians } = await network(t);
  const signed = nextVaa(guardians);
  const receipt = await publish(chain, "0x01", 1);
  await signed;
  const finalized = await chain.client.getBlock({ blockTag: "finalized" });
  t.true(finalized.number >= receipt.blockNumber, `signed while finalized head ${finalized.number} < block ${receipt.blockNumber}`);
});

test("the Wormhole SDK's own API client reads VAAs from the VAA API", async (t) => {
  const { chain, guardians } = await network(t);
  const server = new VaaApi(guardians);
  t.teardown(() => server.stop());
  await server.start();
  const signed = nextVaa(guardians);
  const receipt = await publish(chain, "0xbeef", 200);
  const vaa = await signed;

  const id = { chain: "Ethereum" as const, emitter: new UniversalAddress(vaa.emitterAddress), sequence: vaa.sequence };
  const bytes = await api.getVaaBytes(server.url, id);
  t.deepEqual(Buffer.from(bytes!), Buffer.from(vaa.bytes));
  const decoded = await api.getVaa(server.url, id, "Uint8Array");
  t.is(decoded!.sequence, vaa.sequence);
  t.is(decoded!.emitterChain, "Ethereum");
  t.deepEqual(Buffer.from(decoded!.payload), Buffer.from([0xbe, 0xef]));
  t.is(decoded!.signatures.length, 13);

  const byTx = await api.getVaaByTxHash(server.url, receipt.transactionHash);
  t.is(byTx?.vaa, Buffer.from(vaa.bytes).toString("base64"));
  // Not signed (yet): the SDK's "try again" answer, not an error.
  t.is(await api.getVaaBytes(server.url, { ...id, sequence: 999n }), null);
});

test("the VAA API answers a malformed path with 400 naming the part", async (t) => {
  const { guardians } = await network(t);
  const server = new VaaApi(guardians);
  t.teardown(() => server.stop());
  await server.start();
  const response = await fetch(`${server.url}/v1/signed_vaa/2/not-hex/1`);
  t.is(response.status, 400);
  t.regex(((await response.json()) as { message: string }).message, /emitter "not-hex" must be 64 hex digits/);
});
