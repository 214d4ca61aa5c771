import { bytesToHex, hexToBytes, type Address, type Hex } from "viem";
import { keccak256 } from "../../chains/keccak.ts";
import { TRIGGER_KINDS, type TriggerKind } from "../measure/kinds.ts";
import { BridgeStressError } from "../infra/errors.ts";

/**
 * Liquidation-trigger payload, version 1 (big-endian, the hub's abi.encodePacked):
 *
 * | offset | size | field |
 * | 0  | 1  | version (= 1) |
 * | 1  | 1  | kind: 1 liquidation, 2 order, 3 cancel, 4 spam |
 * | 2  | 8  | triggerId (uint64) |
 * | 10 | 32 | positionId (bytes32) |
 * | 42 | 20 | account (address) |
 * | 62 | 16 | price (uint128, 8 decimals) |
 * | 78 | 8  | deadline (uint64, unix ms) |
 * | 86 | 2  | destinationChain (uint16 Wormhole chain id) |
 * | 88 | …  | padding (spam only; ignored by the receiver) |
 */
export const PAYLOAD_VERSION = 1;
export const PAYLOAD_HEADER_BYTES = 88;

/** On-chain code of each kind. */
export const TRIGGER_KIND_CODES: Record<TriggerKind, number> = { liquidation: 1, order: 2, cancel: 3, spam: 4 };

export interface Trigger {
  triggerId: bigint;
  kind: TriggerKind;
  positionId: Hex;
  account: Address;
  /** Price with 8 decimals. */
  price: bigint;
  /** Unix time in ms after which acting on the trigger is late. */
  deadlineMs: bigint;
  /** Wormhole chain id of the chain that must act on it. */
  destinationChain: number;
  padding?: Uint8Array;
}

export class PayloadError extends BridgeStressError {
  static override readonly code = "payload-invalid";
  static override readonly docs = "README.md#the-path-of-one-message";
  constructor(field: string, detail: string) {
    super(`trigger payload ${field}: ${detail}`);
  }
}

function checkRange(field: string, value: bigint | number, bits: number): void {
  if (BigInt(value) < 0n || BigInt(value) >= 1n << BigInt(bits)) throw new PayloadError(field, `${value} does not fit in uint${bits}`);
}

export function encodeTrigger(t: Trigger): Uint8Array {
  const code = TRIGGER_KIND_CODES[t.kind];
  if (!code) throw new PayloadError("kind", `"${t.kind}" is unknown; use one of ${TRIGGER_KINDS.join(", ")}`);
  checkRange("triggerId", t.triggerId, 64);
  checkRange("price", t.price, 128);
  checkRange("deadlineMs", t.deadlineMs, 64);
  checkRange("destinationChain", t.destinationChain, 16);
  const padding = t.padding ?? new Uint8Array();
  const out = new Uint8Array(PAYLOAD_HEADER_BYTES + padding.length);
  const view = new DataView(out.buffer);
  view.setUint8(0, PAYLOAD_VERSION);
  view.setUint8(1, code);
  view.setBigUint64(2, t.triggerId);
  out.set(hexToBytes(t.positionId, { size: 32 }), 10);
  out.set(hexToBytes(t.account, { size: 20 }), 42);
  view.setBigUint64(62, t.price >> 64n);
  view.setBigUint64(70, t.price & 0xffff_ffff_ffff_ffffn);
  view.setBigUint64(78, t.deadlineMs);
  view.setUint16(86, t.destinationChain);
  out.set(padding, PAYLOAD_HEADER_BYTES);
  return out;
}

export function decodeTrigger(bytes: Uint8Array): Trigger {
  if (bytes.length < PAYLOAD_HEADER_BYTES) {
    throw new PayloadError("length", `${bytes.length} bytes; a version ${PAYLOAD_VERSION} payload has at least ${PAYLOAD_HEADER_BYTES}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(0);
  if (version !== PAYLOAD_VERSION) throw new PayloadError("version", `is ${version}; this harness reads version ${PAYLOAD_VERSION}`);
  const code = view.getUint8(1);
  const kind = TRIGGER_KINDS[code - 1];
  if (!kind) throw new PayloadError("kind", `code ${code} is unknown; codes are 1..${TRIGGER_KINDS.length}`);
  return {
    triggerId: view.getBigUint64(2),
    kind,
    positionId: bytesToHex(bytes.subarray(10, 42)),
    account: bytesToHex(bytes.subarray(42, 62)) as Address,
    price: (view.getBigUint64(62) << 64n) | view.getBigUint64(70),
    deadlineMs: view.getBigUint64(78),
    destinationChain: view.getUint16(86),
    padding: bytes.slice(PAYLOAD_HEADER_BYTES),
  };
}

/** The position a planned message's trigger names: keccak256("position-" + salt), as both paths publish it. */
export function positionIdOf(positionSalt: number): Hex {
  return bytesToHex(keccak256(Buffer.from(`position-${positionSalt}`)));
}
