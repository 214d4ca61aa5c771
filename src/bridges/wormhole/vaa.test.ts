import test from "ava";
import { keccak256 } from "viem";
import secp256k1 from "secp256k1";
import { bodyDigest, parseVaa, quorum, serializeBody, serializeVaa, signDigest, toEmitterAddress, vaaKey, VaaFormatError } from "./vaa.ts";
import { generateGuardianKeys } from "./guardians/guardianKeys.ts";

const body = {
  timestamp: 1_700_000_000,
  nonce: 7,
  emitterChain: 2,
  emitterAddress: toEmitterAddress("0x73511669fd4de447fed18bb79bafeac93ab7f31f"),
  sequence: 42n,
  consistencyLevel: 200,
  payload: new Uint8Array([1, 2, 3]),
};

test("emitter addresses are left-padded to 32 bytes", (t) => {
  t.is(toEmitterAddress("0x73511669fD4dE447feD18BB79bAFeAC93aB7F31f"), "0x00000000000000000000000073511669fd4de447fed18bb79bafeac93ab7f31f");
  t.is(vaaKey(2, body.emitterAddress, 42n), "2/00000000000000000000000073511669fd4de447fed18bb79bafeac93ab7f31f/42");
});

test("serialize and parse round trip; signatures sorted by guardian index", (t) => {
  const keys = generateGuardianKeys(3);
  const bodyBytes = serializeBody(body);
  t.is(bodyBytes.length, 51 + 3);
  const digest = bodyDigest(bodyBytes);
  t.deepEqual(digest, keccak256(keccak256(bodyBytes, "bytes"), "bytes"));
  const signatures = [2, 0].map((i) => ({ guardianIndex: i, signature: signDigest(keys[i]!.privateKey, digest) }));
  const vaa = parseVaa(serializeVaa({ guardianSetIndex: 4, signatures, bodyBytes }));
  t.is(vaa.guardianSetIndex, 4);
  t.deepEqual(
    vaa.signatures.map((s) => s.guardianIndex),
    [0, 2],
  );
  t.deepEqual(vaa.body, body);
  const recovered = secp256k1.ecdsaRecover(vaa.signatures[1]!.signature.slice(0, 64), vaa.signatures[1]!.signature[64]!, digest, false);
  t.deepEqual(Buffer.from(recovered), Buffer.from(secp256k1.publicKeyCreate(keys[2]!.privateKey, false)));
});

test("quorum is more than two thirds", (t) => {
  t.is(quorum(19), 13);
  t.is(quorum(1), 1);
  t.is(quorum(4), 3);
});

test("a malformed VAA is rejected naming the field", (t) => {
  t.throws(() => parseVaa(new Uint8Array([2, 0, 0, 0, 0, 0])), { instanceOf: VaaFormatError, message: /VAA version: is 2/ });
  t.throws(() => parseVaa(new Uint8Array([1, 0, 0, 0, 0, 3])), { message: /VAA body: 3 signatures need/ });
});
