import test from "ava";
import { generateGuardianKeys } from "./guardianKeys.ts";
import { SignerPool } from "./signerPool.ts";
import { bodyDigest, signDigest } from "./vaa.ts";

test("the signing thread gives the same signatures as signing here, in the order asked; after stop, signing goes on here", async (t) => {
  const keys = generateGuardianKeys(19);
  const pool = new SignerPool(keys.map((k) => k.privateKey));
  pool.start();
  const digests = Array.from({ length: 50 }, (_, i) => bodyDigest(new Uint8Array([i, 1, 2])));
  const asked = [18, 3, 0, 7];
  const made = await Promise.all(digests.map((d) => pool.sign(d, asked)));
  for (const [i, signatures] of made.entries()) {
    t.deepEqual(signatures.map((s) => Buffer.from(s).toString("hex")), asked.map((g) => Buffer.from(signDigest(keys[g]!.privateKey, digests[i]!)).toString("hex")));
  }
  await pool.stop();
  const after = await pool.sign(digests[0]!, [1]);
  t.deepEqual(Buffer.from(after[0]!), Buffer.from(signDigest(keys[1]!.privateKey, digests[0]!)));
});
