import test, { type ExecutionContext } from "ava";
import { once } from "node:events";
import { toHex, type Hex } from "viem";
import type { SeenMessage } from "./guardian.ts";
import { generateGuardianKeys } from "./guardianKeys.ts";
import { GuardianNetwork, VAA_RETENTION_MS, vaaRetentionFor, type GuardianNetworkOptions, type SignedVaa } from "./guardianNetwork.ts";
import { now } from "../../../infra/clock.ts";

const EMITTER: Hex = `0x${"00".repeat(12)}${"ab".repeat(20)}`;

/** A network with no chains: the test hands messages to the guardians itself. */
async function network(t: ExecutionContext, options: Partial<GuardianNetworkOptions>) {
  const guardians = new GuardianNetwork({ chains: [], guardianKeys: generateGuardianKeys(19), ...options });
  t.teardown(() => guardians.stop());
  await guardians.start();
  const signed: SignedVaa[] = [];
  guardians.on("vaa", (vaa) => signed.push(vaa));
  return { guardians, signed };
}

function message(sequence: number, observedAt = now()): SeenMessage {
  return {
    body: {
      timestamp: 1,
      nonce: 0,
      emitterChain: 2,
      emitterAddress: EMITTER,
      sequence: BigInt(sequence),
      consistencyLevel: 200,
      payload: new Uint8Array([sequence]),
    },
    blockNumber: BigInt(sequence),
    blockHash: toHex(sequence, { size: 32 }),
    txHash: toHex(1000 + sequence, { size: 32 }),
    observedAt,
  };
}

/** Every guardian observes `m` (now, or `lateMs` after the block was seen); resolves with its VAA. */
async function observe(guardians: GuardianNetwork, m: SeenMessage, lateMs = 0): Promise<SignedVaa> {
  const vaa = once(guardians, "vaa").then(([v]) => v as SignedVaa);
  for (const guardian of guardians.guardians) guardian.observe(lateMs ? { ...m, observedAt: m.observedAt + lateMs } : m);
  return vaa;
}

test("a signed VAA is served by id and by transaction until its retention passes, then forgotten", async (t) => {
  const { guardians } = await network(t, { vaaRetentionMs: 0 });
  const a = message(1);
  const vaaA = await observe(guardians, a);
  t.is(guardians.get(2, EMITTER, 1n), vaaA);
  t.deepEqual(guardians.byTxHash(a.txHash), [vaaA]);
  // The next VAA signed forgets every one signed before it (retention 0 ms).
  const vaaB = await observe(guardians, message(2));
  t.is(guardians.get(2, EMITTER, 1n), undefined);
  t.deepEqual(guardians.byTxHash(a.txHash), []);
  t.is(guardians.get(2, EMITTER, 2n), vaaB);
});

test("a tally past its retention hands its observation skew on; a guardian observing after that signs nothing twice", async (t) => {
  const { guardians, signed } = await network(t, { tallyRetentionMs: 5_000 });
  const skews: Array<{ firstAt: number; skew: number }> = [];
  guardians.onSkew = (firstAt, skew) => skews.push({ firstAt, skew });
  // Message 1's block was seen 20 s ago: thirteen guardians (a quorum) observed it then, the
  // other six 40 ms later. Its tally is past the 5 s retention as soon as its VAA is signed.
  const a = message(1, now() - 20_000);
  const vaaA = once(guardians, "vaa");
  for (const guardian of guardians.guardians.slice(0, 13)) guardian.observe(a);
  for (const guardian of guardians.guardians.slice(13)) guardian.observe({ ...a, observedAt: a.observedAt + 40 });
  await vaaA;
  t.deepEqual(skews, [{ firstAt: a.observedAt, skew: 40 }]);
  t.deepEqual([...guardians.observationSkews()], []);
  // Message 2, seen now, keeps its tally.
  const b = message(2);
  await observe(guardians, b);
  t.deepEqual([...guardians.observationSkews()], [{ firstAt: b.observedAt, skew: 0 }]);
  t.is(skews.length, 1);
  // Every guardian observes message 1 again after its tally is gone: its VAA exists, so there is no second one.
  for (const guardian of guardians.guardians) guardian.observe(a);
  await observe(guardians, message(3));
  t.deepEqual(
    signed.map((v) => v.sequence),
    [1n, 2n, 3n],
  );
  t.is([...guardians.observationSkews()].length, 2, "the late observations of message 1 make no tally");
});

test("VAAs are kept 5 minutes, or until 2 minutes after the longest fault of the run ends", (t) => {
  t.is(vaaRetentionFor([]), VAA_RETENTION_MS);
  t.is(vaaRetentionFor([10, 60]), VAA_RETENTION_MS);
  t.is(vaaRetentionFor([30, 600]), 720_000);
});
