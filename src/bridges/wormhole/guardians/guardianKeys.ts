import secp256k1 from "secp256k1";
import { keccak256, stringToBytes, type Address } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { bytesToHex } from "viem";

/** A guardian's TEST-ONLY key pair, derived from a public seed: never use on a real network. */
export interface GuardianKey {
  index: number;
  privateKey: Uint8Array;
  address: Address;
}

/**
 * Deterministic TEST-ONLY guardian keys: key i = keccak256("bridge-stress guardian " + seed + i).
 * Anyone can derive them; they exist to sign VAAs on local chains only.
 */
export function generateGuardianKeys(count: number, seed = "test-only"): GuardianKey[] {
  if (!Number.isInteger(count) || count < 1 || count > 255) {
    throw new Error(`guardian set size ${count}: must be an integer from 1 to 255 (Wormhole's maximum is 19 on mainnet)`);
  }
  const keys: GuardianKey[] = [];
  for (let index = 0; index < count; index++) {
    const privateKey = keccak256(stringToBytes(`bridge-stress guardian ${seed} ${index}`), "bytes");
    if (!secp256k1.privateKeyVerify(privateKey)) throw new Error(`guardian key ${index} is not a valid secp256k1 key; change the seed`);
    keys.push({ index, privateKey, address: privateKeyToAddress(bytesToHex(privateKey)) });
  }
  return keys;
}
