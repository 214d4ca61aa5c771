import test from "ava";
import { generateGuardianKeys } from "./guardianKeys.ts";
import { SignerPool } from "./signerPool.ts";
import { bodyDigest, signDigest } from "../vaa.ts";

test("the signing thread gives the same signatures as signing here, in the order asked; after stop, signing goes on here", async (t) => {
  const keys = generateGuardianKeys(19);
  const pool = new SignerPool(keys.map((k) => k.privateKey));
  pool.start();
  const digests = Array.from({ length: 50 }, (_, i) => bodyDigest(new Uint8Array([i, 1, 2])));
  const asked = [18, 3, 0, 7];
  const made = await Promise.all(digests.map((d) => pool.sign(d, asked)));
  for (const [i, signatures] of made.entries()) {
    t.deepEqual(
      signatures.map((s) => Buffer.from(s).toString("hex")),
      asked.map((g) => Buffer.from(signDigest(keys[g]!.privateKey, digests[i]!)).toString("hex")),
    );
  }
  await pool.stop();
  const after = await pool.sign(digests[0]!, [1]);
  t.deepEqual(Buffer.from(after[0]!), Buffer.from(signDigest(keys[1]!.privateKey, digests[0]!)));
});

test("stopping while signatures are still being made ends the thread without aborting the process", async (t) => {
  // terminate() in the middle of a libsecp256k1 call aborted the whole process within a few tries.
  const keys = generateGuardianKeys(19).map((k) => k.privateKey);
  const digest = bodyDigest(new Uint8Array([1, 2, 3]));
  const quorum = Array.from({ length: 13 }, (_, i) => i);
  for (let i = 0; i < 30; i++) {
    const pool = new SignerPool(keys);
    pool.start();
    await pool.sign(digest, [0]);
    for (let j = 0; j < 50; j++) void pool.sign(digest, quorum);
    await new Promise((resolve) => setTimeout(resolve, i % 5));
    await pool.stop();
  }
  // After a stop, signing goes on here.
  const pool = new SignerPool(keys);
  pool.start();
  await pool.stop();
  t.deepEqual(Buffer.from((await pool.sign(digest, [2]))[0]!), Buffer.from(signDigest(keys[2]!, digest)));
});
