import test from "ava";
import { coreAbi } from "../src/bridges/wormhole/core.ts";
import { toEmitterAddress } from "../src/bridges/wormhole/vaa.ts";
import { chainWithCore, signedVaa, range } from "./helpers/chain.ts";

// The real Wormhole core (SDK bytecode) at Ethereum's mainnet core address, initialised by
// storage writes with 19 generated guardians: it must verify exactly as on mainnet.
const body = {
  timestamp: 1_700_000_000,
  nonce: 1,
  emitterChain: 23,
  emitterAddress: toEmitterAddress("0x1111111111111111111111111111111111111111"),
  sequence: 5n,
  consistencyLevel: 200,
  payload: new Uint8Array([0xca, 0xfe]),
};

test("the installed core reports the state that was written", async (t) => {
  const { client, profile } = await chainWithCore(t, "Ethereum");
  const read = (functionName: any, args: any[] = []) => client.readContract({ address: profile.coreAddress, abi: coreAbi, functionName, args } as any);
  t.is(await read("chainId"), 2);
  t.is(await read("evmChainId"), 1n);
  t.false((await read("isFork")) as boolean);
  t.is(await read("getCurrentGuardianSetIndex"), 0);
  t.is(((await read("getGuardianSet", [0])) as { keys: string[] }).keys.length, 19);
});

test("parseAndVerifyVM: 13 of 19 accepted; 12, a tampered signature and a wrong set index rejected", async (t) => {
  const { client, profile, keys } = await chainWithCore(t, "Ethereum");
  const verify = async (vaa: `0x${string}`) => {
    const [, valid, reason] = (await client.readContract({
      address: profile.coreAddress,
      abi: coreAbi,
      functionName: "parseAndVerifyVM",
      args: [vaa],
    })) as readonly [unknown, boolean, string];
    return { valid, reason };
  };
  // Guardians 6..18: not the first 13, so indices must be the signers' own.
  t.deepEqual(await verify(signedVaa(keys, range(6, 18), body)), { valid: true, reason: "" });
  t.deepEqual(await verify(signedVaa(keys, range(0, 18), body)), { valid: true, reason: "" });
  t.deepEqual(await verify(signedVaa(keys, range(7, 18), body)), { valid: false, reason: "no quorum" });

  const tampered = signedVaa(keys, range(0, 12), body);
  const at = 2 + 2 * (6 + 1 + 4); // a byte inside the first signature's r
  const flipped =
    `${tampered.slice(0, at)}${(parseInt(tampered.slice(at, at + 2), 16) ^ 1).toString(16).padStart(2, "0")}${tampered.slice(at + 2)}` as `0x${string}`;
  t.deepEqual(await verify(flipped), { valid: false, reason: "VM signature invalid" });

  t.deepEqual(await verify(signedVaa(keys, range(0, 12), body, 1)), { valid: false, reason: "invalid guardian set" });
});

test("a guardian set of one guardian works with quorum 1", async (t) => {
  const { client, profile, keys } = await chainWithCore(t, "Base", 1);
  const [, valid] = (await client.readContract({
    address: profile.coreAddress,
    abi: coreAbi,
    functionName: "parseAndVerifyVM",
    args: [signedVaa(keys, [0], body)],
  })) as readonly [unknown, boolean, string];
  t.true(valid);
});
