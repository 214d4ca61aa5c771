import test, { type ExecutionContext } from "ava";
import { once } from "node:events";
import { toHex } from "viem";
import type { SeenMessage } from "./guardian.ts";
import { generateGuardianKeys } from "./guardianKeys.ts";
import { TEST_EMITTER, testMessage } from "./testMessages.ts";
import type { SignatureRecord } from "./records.ts";
import { GuardianNetwork, VAA_RETENTION_MS, vaaRetentionFor, type GuardianNetworkOptions } from "./guardianNetwork.ts";
import type { SignedVaa } from "./vaaStore.ts";
import { now } from "../../../infra/clock.ts";
import { parseVaa } from "../vaa.ts";

const parseVaaSigners = (vaa: SignedVaa) => parseVaa(vaa.bytes).signatures.map((s) => s.guardianIndex);

/** A network with no chains: the test hands messages to the guardians itself. */
async function network(t: ExecutionContext, options: Partial<GuardianNetworkOptions>) {
  const guardians = new GuardianNetwork({ chains: [], guardianKeys: generateGuardianKeys(19), ...options });
  t.teardown(() => guardians.stop());
  await guardians.start();
  const signed: SignedVaa[] = [];
  guardians.on("vaa", (vaa) => signed.push(vaa));
  return { guardians, signed };
}

/** Every guardian observes `m` (now, or `lateMs` after the block was seen); resolves with its VAA. */
async function observe(guardians: GuardianNetwork, m: SeenMessage, lateMs = 0): Promise<SignedVaa> {
  const vaa = once(guardians, "vaa").then(([v]) => v as SignedVaa);
  for (const guardian of guardians.guardians) guardian.observe(lateMs ? { ...m, observedAt: m.observedAt + lateMs } : m);
  return vaa;
}

test("a signed VAA is served by id and by transaction until its retention passes, then forgotten", async (t) => {
  const { guardians } = await network(t, { vaaRetentionMs: 0 });
  const a = testMessage(1);
  const vaaA = await observe(guardians, a);
  t.is(guardians.get(2, TEST_EMITTER, 1n), vaaA);
  t.deepEqual(guardians.byTxHash(a.txHash), [vaaA]);
  // The next VAA signed forgets every one signed before it (retention 0 ms).
  const vaaB = await observe(guardians, testMessage(2));
  t.is(guardians.get(2, TEST_EMITTER, 1n), undefined);
  t.deepEqual(guardians.byTxHash(a.txHash), []);
  t.is(guardians.get(2, TEST_EMITTER, 2n), vaaB);
});

test("a tally past its retention hands its observation skew on; a guardian observing after that signs nothing twice", async (t) => {
  const { guardians, signed } = await network(t, { tallyRetentionMs: 5_000 });
  const skews: Array<{ firstAt: number; skew: number }> = [];
  guardians.onSkew = (firstAt, skew) => skews.push({ firstAt, skew });
  // Message 1's block was seen 20 s ago: thirteen guardians (a quorum) observed it then, the
  // other six 40 ms later. Its tally is past the 5 s retention as soon as its VAA is signed.
  const a = testMessage(1, now() - 20_000);
  const vaaA = once(guardians, "vaa");
  for (const guardian of guardians.guardians.slice(0, 13)) guardian.observe(a);
  for (const guardian of guardians.guardians.slice(13)) guardian.observe({ ...a, observedAt: a.observedAt + 40 });
  await vaaA;
  t.deepEqual(skews, [{ firstAt: a.observedAt, skew: 40 }]);
  t.deepEqual([...guardians.observationSkews()], []);
  // Message 2, seen now, keeps its tally.
  const b = testMessage(2);
  await observe(guardians, b);
  t.deepEqual([...guardians.observationSkews()], [{ firstAt: b.observedAt, skew: 0 }]);
  t.is(skews.length, 1);
  // Every guardian observes message 1 again after its tally is gone: its VAA exists, so there is no second one.
  for (const guardian of guardians.guardians) guardian.observe(a);
  await observe(guardians, testMessage(3));
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

test("guardians signing another body never mix with the quorum's: 6 of 19 are refused by name, 13 honest form the VAA", async (t) => {
  const { guardians } = await network(t, {});
  const refused: Array<{ guardianIndex: number; what: string }> = [];
  guardians.on("misbehaved", (m) => refused.push({ guardianIndex: m.guardianIndex, what: m.what }));
  for (const g of guardians.guardians.slice(13)) g.misbehaviour = { kind: "body" };
  // The six observe first: their tally (another digest) can never reach quorum.
  const m = testMessage(1);
  for (const g of guardians.guardians.slice(13)) g.observe(m);
  const vaa = once(guardians, "vaa").then(([v]) => v as SignedVaa);
  for (const g of guardians.guardians.slice(0, 13)) g.observe(m);
  const signed = await vaa;
  t.is(signed.hash, m.signed!.digest, "the VAA carries the honest body");
  t.deepEqual(refused.map((r) => `${r.guardianIndex} ${r.what}`).sort(), ["13 body", "14 body", "15 body", "16 body", "17 body", "18 body"]);
});

test("seven guardians signing another body leave twelve honest ones: no VAA from either body", async (t) => {
  const { guardians, signed } = await network(t, {});
  for (const g of guardians.guardians.slice(12)) g.misbehaviour = { kind: "body" };
  const m = testMessage(1);
  for (const g of guardians.guardians) g.observe(m);
  // A second, honest message signs after it: by then the first would have been signed too.
  for (const g of guardians.guardians.slice(12)) g.misbehaviour = undefined;
  await observe(guardians, testMessage(2));
  t.deepEqual(
    signed.map((v) => v.sequence),
    [2n],
  );
});

test("a signature made with a key not in the guardian set is refused at the aggregation point and named", async (t) => {
  const { guardians } = await network(t, {});
  const refused: number[] = [];
  guardians.on("misbehaved", (m) => {
    if (m.what === "key") refused.push(m.guardianIndex);
  });
  const wrong = generateGuardianKeys(19, "not-in-the-set");
  for (const g of guardians.guardians.slice(0, 7)) g.misbehaviour = { kind: "key", privateKey: wrong[g.index]!.privateKey };
  const m = testMessage(1);
  const vaa = once(guardians, "vaa").then(([v]) => v as SignedVaa);
  for (const g of guardians.guardians) g.observe(m);
  // 12 honest guardians are one short of quorum: the seven were refused, not counted.
  t.deepEqual(refused, [0, 1, 2, 3, 4, 5, 6]);
  for (const g of guardians.guardians.slice(0, 7)) g.misbehaviour = undefined;
  guardians.guardians[0]!.observe(m);
  const signed = await vaa;
  t.false(
    parseVaaSigners(signed).some((i) => i > 0 && i < 7),
    "no refused guardian's signature is in the VAA",
  );
});

test("batching and gossip delay move a signature's arrival, and the VAA waits for the quorum-th arrival", async (t) => {
  const { guardians } = await network(t, { batching: { maxDelayMs: 150, maxSize: 4000 }, topology: { regionOf: () => "x", delayMs: () => 50 } });
  const records: SignatureRecord[] = [];
  guardians.on("signature", (r) => records.push(r));
  const m = testMessage(1);
  const vaa = await observe(guardians, m);
  t.true(records.length >= 13);
  // Each waits for its guardian's window (≤ 150 ms) and then 50 ms of gossip; the upper bound leaves room for a busy machine's timer lateness.
  for (const r of records)
    t.true(r.arrivedAt - r.observedAt >= 49 && r.arrivedAt - r.observedAt <= 150 + 50 + 400, `guardian ${r.guardianIndex}: ${r.arrivedAt - r.observedAt} ms`);
  const arrivals = records.map((r) => r.arrivedAt).sort((a, b) => a - b);
  t.true(vaa.readyAt >= arrivals[12]!, "ready no earlier than the 13th arrival");
  t.true(new Set(records.map((r) => r.arrivedAt)).size > 1, "guardians' windows end at different times");
});

test("a sequence used again after a reorg is another message in another block: it gets its own VAA, and no guardian is called an equivocator", async (t) => {
  const { guardians, signed } = await network(t, {});
  const refused: number[] = [];
  guardians.on("misbehaved", (m) => refused.push(m.guardianIndex));
  await observe(guardians, testMessage(1));
  const again = { ...testMessage(1), blockHash: toHex(99, { size: 32 }), body: { ...testMessage(1).body, payload: new Uint8Array([42]) } };
  await observe(guardians, again);
  t.is(signed.length, 2);
  t.notDeepEqual(signed[0]!.hash, signed[1]!.hash);
  t.deepEqual(refused, []);
});
