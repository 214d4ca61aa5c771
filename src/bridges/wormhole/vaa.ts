import secp256k1 from "secp256k1";
import { pad, bytesToHex, getAddress, hexToBytes, type Address, type Hex } from "viem";
import { keccak256 } from "../../../chains/keccak.ts";
import { BridgeStressError } from "../../infra/errors.ts";

/**
 * The signed part of a VAA: what guardians attest about one published message.
 * Layout (big-endian): timestamp u32 · nonce u32 · emitterChain u16 · emitterAddress 32 bytes ·
 * sequence u64 · consistencyLevel u8 · payload.
 */
export interface VaaBody {
  /** Timestamp of the source block (seconds), not of the observation. */
  timestamp: number;
  nonce: number;
  emitterChain: number;
  /** 32-byte emitter address (an EVM address left-padded with zeros). */
  emitterAddress: Hex;
  sequence: bigint;
  consistencyLevel: number;
  payload: Uint8Array;
}

export interface GuardianSignature {
  /** Index of the signer in the guardian set (not its position in the VAA). */
  guardianIndex: number;
  /** r (32) · s (32) · recovery id (1, 0 or 1). */
  signature: Uint8Array;
}

export interface Vaa {
  guardianSetIndex: number;
  signatures: GuardianSignature[];
  body: VaaBody;
  bodyBytes: Uint8Array;
}

const BODY_HEADER = 4 + 4 + 2 + 32 + 8 + 1;

export function serializeBody(body: VaaBody): Uint8Array {
  const out = new Uint8Array(BODY_HEADER + body.payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.timestamp);
  view.setUint32(4, body.nonce);
  view.setUint16(8, body.emitterChain);
  out.set(hexToBytes(body.emitterAddress, { size: 32 }), 10);
  view.setBigUint64(42, body.sequence);
  view.setUint8(50, body.consistencyLevel);
  out.set(body.payload, BODY_HEADER);
  return out;
}

/** keccak256(body): the VAA hash the SDK and Wormholescan show. */
export function bodyHash(bodyBytes: Uint8Array): Uint8Array {
  return keccak256(bodyBytes);
}

/** keccak256(keccak256(body)): what guardians sign and what `vm.hash` is on-chain. */
export function bodyDigest(bodyBytes: Uint8Array): Uint8Array {
  return keccak256(bodyHash(bodyBytes));
}

/** Signs a 32-byte digest with libsecp256k1 (the native `secp256k1` package). */
export function signDigest(privateKey: Uint8Array, digest: Uint8Array): Uint8Array {
  const { signature, recid } = secp256k1.ecdsaSign(digest, privateKey);
  const out = new Uint8Array(65);
  out.set(signature, 0);
  out[64] = recid;
  return out;
}

/** The address whose key made a 65-byte signature (r · s · recovery id) of `digest`. */
export function recoverSigner(digest: Uint8Array, signature: Uint8Array): Address {
  const publicKey = secp256k1.ecdsaRecover(signature.subarray(0, 64), signature[64]!, digest, false);
  return getAddress(bytesToHex(keccak256(publicKey.subarray(1)).subarray(12)));
}

/** VAA v1 wire format: version · guardian set index · signatures (ascending guardian index) · body. */
export function serializeVaa(vaa: Omit<Vaa, "body">): Uint8Array {
  const signatures = [...vaa.signatures].sort((a, b) => a.guardianIndex - b.guardianIndex);
  const out = new Uint8Array(6 + signatures.length * 66 + vaa.bodyBytes.length);
  const view = new DataView(out.buffer);
  view.setUint8(0, 1);
  view.setUint32(1, vaa.guardianSetIndex);
  view.setUint8(5, signatures.length);
  signatures.forEach((s, i) => {
    out[6 + i * 66] = s.guardianIndex;
    out.set(s.signature, 7 + i * 66);
  });
  out.set(vaa.bodyBytes, 6 + signatures.length * 66);
  return out;
}

export class VaaFormatError extends BridgeStressError {
  static override readonly code = "vaa-invalid";
  static override readonly docs = "README.md#the-wormhole-core";
  constructor(field: string, detail: string) {
    super(`VAA ${field}: ${detail}`);
  }
}

/** Parses VAA v1 bytes; throws a VaaFormatError naming the field that is wrong. */
export function parseVaa(bytes: Uint8Array): Vaa {
  if (bytes.length < 6) throw new VaaFormatError("header", `${bytes.length} bytes is shorter than the 6-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint8(0) !== 1) throw new VaaFormatError("version", `is ${view.getUint8(0)}; only version 1 exists`);
  const guardianSetIndex = view.getUint32(1);
  const count = view.getUint8(5);
  const bodyStart = 6 + count * 66;
  if (bytes.length < bodyStart + BODY_HEADER) {
    throw new VaaFormatError("body", `${count} signatures need at least ${bodyStart + BODY_HEADER} bytes, got ${bytes.length}`);
  }
  const signatures: GuardianSignature[] = [];
  for (let i = 0; i < count; i++) {
    const at = 6 + i * 66;
    signatures.push({ guardianIndex: bytes[at]!, signature: bytes.slice(at + 1, at + 66) });
  }
  const bodyBytes = bytes.slice(bodyStart);
  const body = new DataView(bodyBytes.buffer);
  return {
    guardianSetIndex,
    signatures,
    bodyBytes,
    body: {
      timestamp: body.getUint32(0),
      nonce: body.getUint32(4),
      emitterChain: body.getUint16(8),
      emitterAddress: bytesToHex(bodyBytes.slice(10, 42)),
      sequence: body.getBigUint64(42),
      consistencyLevel: body.getUint8(50),
      payload: bodyBytes.slice(BODY_HEADER),
    },
  };
}

/** Left-pads an EVM address to the 32-byte Wormhole emitter form. */
export function toEmitterAddress(address: Hex): Hex {
  return pad(address, { size: 32, dir: "left" }).toLowerCase() as Hex;
}

/** Wormhole quorum for a guardian set of `size`: more than two thirds. */
export function quorum(size: number): number {
  return Math.floor((size * 2) / 3) + 1;
}

/** Identifies one message by its VAA id: `${emitterChain}/${emitter as 64 hex}/${sequence}`, the API path. */
export type VaaKey = string;

export function vaaKey(emitterChain: number, emitterAddress: Hex, sequence: bigint): VaaKey {
  return `${emitterChain}/${emitterAddress.replace(/^0x/, "").toLowerCase().padStart(64, "0")}/${sequence}`;
}
