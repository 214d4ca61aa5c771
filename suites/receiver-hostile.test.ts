import test from "ava";
import { BaseError, ContractFunctionRevertedError, type Hex } from "viem";
import { generateGuardianKeys } from "../src/bridges/wormhole/guardians/guardianKeys.ts";
import { bodyDigest, serializeBody, serializeVaa, signDigest, type VaaBody } from "../src/bridges/wormhole/vaa.ts";
import { range, signedVaa } from "./helpers/chain.ts";
import { deliverer, publish, setup } from "./helpers/liquidation.ts";

// The receiver's entry points (receiveMessage, receiveMessages) against the real Wormhole core,
// given what no relayer of the suites sends: VAAs with a bad signature, signed by the wrong
// guardian set, truncated, empty. Each is refused with the revert reason the core or the
// receiver gives, asserted exactly, by the single entry point (a revert) and by the batch one
// (a TriggerRejected event, the good VAAs of the batch delivered).

/** The revert reason of a call that must revert (viem's ContractFunctionRevertedError). */
async function reasonOf(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
  } catch (err) {
    const reverted = err instanceof BaseError ? err.walk((e) => e instanceof ContractFunctionRevertedError) : undefined;
    if (reverted instanceof ContractFunctionRevertedError) return reverted.reason;
    throw err;
  }
  throw new Error("the call did not revert");
}

// Layout of a VAA (v1): version (1 byte), guardian set index (4), signature count (1), then per
// signature the guardian index (1), r (32), s (32), v (1); then the body.
const FIRST_SIGNATURE = 6;
const R = FIRST_SIGNATURE + 1;
const S = R + 32;
const V = S + 32;
const SIGNATURE_BYTES = 66;

/** `vaa` with `bytes` written over it at byte `at`. */
function overwrite(vaa: Hex, at: number, bytes: number[]): Hex {
  const i = 2 + 2 * at;
  return `${vaa.slice(0, i)}${Buffer.from(bytes).toString("hex")}${vaa.slice(i + 2 * bytes.length)}` as Hex;
}
const byteAt = (vaa: Hex, at: number) => parseInt(vaa.slice(2 + 2 * at, 4 + 2 * at), 16);
/** The first `n` bytes of `vaa`. */
const cut = (vaa: Hex, n: number) => vaa.slice(0, 2 + 2 * n) as Hex;

/** A VAA whose signatures are given as is: any guardian index with any key (serializeVaa orders them by index). */
function withSignatures(body: VaaBody, signatures: Array<{ guardianIndex: number; key: Uint8Array }>, guardianSetIndex = 0): Hex {
  const bodyBytes = serializeBody(body);
  const digest = bodyDigest(bodyBytes);
  const bytes = serializeVaa({
    guardianSetIndex,
    bodyBytes,
    signatures: signatures.map((s) => ({ guardianIndex: s.guardianIndex, signature: signDigest(s.key, digest) })),
  });
  return `0x${Buffer.from(bytes).toString("hex")}`;
}

test("bad signatures, a wrong guardian set, truncated and empty VAAs revert with the core's or the receiver's reason, one by one and in a batch", async (t) => {
  const { source, destination, hub, receiver } = await setup(t);
  const { call, simulate } = deliverer(destination, receiver);
  const body = await publish(source, hub, 1n, destination.profile.wormholeChainId);
  const good = signedVaa(source.keys, range(0, 12), body);
  const keys = source.keys;
  /** Guardians of another network: valid keys, not the current set's. */
  const strangers = generateGuardianKeys(19, "not-the-current-set");
  const bodyAt = FIRST_SIGNATURE + 13 * SIGNATURE_BYTES;
  // Each case: the VAA and the exact reason. The core's parseVM reverts on bytes it cannot read
  // (BytesLib's "…_outOfBounds", the version); parseAndVerifyVM's reason comes back through the
  // receiver as "invalid VAA: <reason>"; the receiver's own checks follow a valid VAA.
  const cases: Array<[name: string, vaa: Hex, reason: string]> = [
    ["a signature's s altered", overwrite(good, S, [byteAt(good, S) ^ 1]), "invalid VAA: VM signature invalid"],
    ["a signature's r zeroed", overwrite(good, R, Array(32).fill(0)), "ecrecover failed with signature"],
    ["a signature's v out of range", overwrite(good, V, [byteAt(good, V) + 2]), "ecrecover failed with signature"],
    ["signed by the wrong keys for the current set index", signedVaa(strangers, range(0, 12), body), "invalid VAA: VM signature invalid"],
    [
      "a wrong key among 13 right ones",
      withSignatures(
        body,
        range(0, 12).map((i) => ({ guardianIndex: i, key: (i === 5 ? strangers : keys)[i]!.privateKey })),
      ),
      "invalid VAA: VM signature invalid",
    ],
    ["signed for an unknown guardian set index", signedVaa(keys, range(0, 12), body, 1), "invalid VAA: invalid guardian set"],
    ["signed for set index 2^32-1", signedVaa(keys, range(0, 12), body, 2 ** 32 - 1), "invalid VAA: invalid guardian set"],
    [
      "one guardian index twice",
      withSignatures(
        body,
        [0, 0, ...range(2, 12)].map((i) => ({ guardianIndex: i, key: keys[i]!.privateKey })),
      ),
      "signature indices must be ascending",
    ],
    [
      "a guardian index beyond the set",
      withSignatures(
        body,
        [...range(0, 11), 19].map((i) => ({ guardianIndex: i, key: keys[Math.min(i, 18)]!.privateKey })),
      ),
      "guardian index out of bounds",
    ],
    ["VAA version 2", overwrite(good, 0, [2]), "VM version incompatible"],
    ["empty", "0x", "toUint8_outOfBounds"],
    ["one byte", cut(good, 1), "toUint32_outOfBounds"],
    ["truncated before the signature count", cut(good, 5), "toUint8_outOfBounds"],
    ["truncated inside the first signature", cut(good, R + 20), "toBytes32_outOfBounds"],
    ["truncated at the body", cut(good, bodyAt), "toUint32_outOfBounds"],
    ["truncated inside the emitter address", cut(good, bodyAt + 4 + 4 + 2 + 20), "toBytes32_outOfBounds"],
    ["truncated inside the sequence", cut(good, bodyAt + 4 + 4 + 2 + 32 + 3), "toUint64_outOfBounds"],
    ["its last payload byte cut", cut(good, (good.length - 2) / 2 - 1), "invalid VAA: VM signature invalid"],
    ["a payload too short, validly signed", signedVaa(keys, range(0, 12), { ...body, payload: body.payload.slice(0, 87) }), "payload too short"],
    [
      "payload version 2, validly signed",
      signedVaa(keys, range(0, 12), { ...body, payload: Uint8Array.from([2, ...body.payload.slice(1)]) }),
      "unsupported payload version",
    ],
  ];
  for (const [name, vaa, reason] of cases) t.is(await reasonOf(simulate(vaa)), reason, name);

  // The batch entry point: the good VAA delivered, every other one reported with the same reason.
  const events = await call("receiveMessages", [...cases.map(([, vaa]) => vaa), good]);
  const delivered = events.filter((e) => e.eventName === "TriggerDelivered").map((e) => (e.args as { triggerId: bigint }).triggerId);
  t.deepEqual(delivered, [1n], "the good VAA after them is delivered");
  const rejected = events.filter((e) => e.eventName === "TriggerRejected").map((e) => e.args as { index: bigint; reason: string });
  t.deepEqual(
    rejected.map((r) => [Number(r.index), r.reason]),
    cases.map(([, , reason], i) => [i, reason]),
  );
  t.is(await reasonOf(simulate(good)), "already delivered", "and only once");
});
