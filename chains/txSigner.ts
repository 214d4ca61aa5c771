import secp256k1 from "secp256k1";
import type { Hex, TransactionSerializableEIP1559 } from "viem";
import { keccak256 } from "./keccak.ts";

/** The fields an EIP-1559 transaction needs here (no access list). */
export type Eip1559Tx = Required<
  Pick<TransactionSerializableEIP1559, "chainId" | "to" | "data" | "gas" | "nonce" | "maxFeePerGas" | "maxPriorityFeePerGas">
> & { value?: bigint; type?: "eip1559" };

/**
 * Signs an EIP-1559 transaction with libsecp256k1 (the native `secp256k1` package) and a
 * native Keccak: the same RFC 6979 signature and the same bytes as viem's signer (a test
 * checks), at a fraction of its CPU. Load senders and the relayer sign one transaction per
 * message each on the harness's main thread, where viem's RLP encoding and pure-JS Keccak
 * cost a visible share.
 */
export function signTransaction(privateKey: Hex, tx: Eip1559Tx): Hex {
  const fields = txFields(tx);
  const unsigned = encodeTyped(fields);
  const { signature, recid } = secp256k1.ecdsaSign(keccak256(unsigned), keyBytes(privateKey));
  fields.push(uint(BigInt(recid)), trimmed(signature.subarray(0, 32)), trimmed(signature.subarray(32, 64)));
  return `0x${encodeTyped(fields).toString("hex")}`;
}

const keys = new Map<Hex, Buffer>();
function keyBytes(privateKey: Hex): Buffer {
  let key = keys.get(privateKey);
  if (!key) keys.set(privateKey, (key = hexBytes(privateKey)));
  return key;
}

const EMPTY_LIST = Buffer.from([0xc0]);

function txFields(tx: Eip1559Tx): Buffer[] {
  if (!tx.to) throw new Error("signTransaction: contract creation is not supported (no `to`)");
  return [
    uint(BigInt(tx.chainId)),
    uint(BigInt(tx.nonce)),
    uint(tx.maxPriorityFeePerGas),
    uint(tx.maxFeePerGas),
    uint(tx.gas),
    hexBytes(tx.to),
    uint(tx.value ?? 0n),
    hexBytes(tx.data ?? "0x"),
    EMPTY_LIST, // access list: an empty list, encoded once
  ];
}

function hexBytes(hex: string): Buffer {
  return Buffer.from(hex.length % 2 ? `0${hex.slice(2)}` : hex.slice(2), "hex");
}

/** An unsigned integer as RLP wants it: big-endian, no leading zero bytes, zero as no bytes. */
function uint(value: bigint): Buffer {
  if (value < 0n) throw new Error(`signTransaction: negative integer ${value}`);
  if (value === 0n) return Buffer.alloc(0);
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex");
}

function trimmed(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  return Buffer.from(bytes.subarray(start));
}

/** A string or list header: short forms below 56 bytes, long forms with the length's own length. */
function header(length: number, shortBase: number, longBase: number): Buffer {
  if (length < 56) return Buffer.from([shortBase + length]);
  const hex = length.toString(16);
  const lengthBytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex");
  return Buffer.concat([Buffer.from([longBase + lengthBytes.length]), lengthBytes]);
}

/** 0x02 ‖ rlp(list of the given fields); a field that is already encoded (the access list) is taken as is. */
function encodeTyped(fields: Buffer[]): Buffer {
  const parts: Buffer[] = [];
  let length = 0;
  for (const field of fields) {
    if (field === EMPTY_LIST) {
      parts.push(field);
      length += 1;
    } else if (field.length === 1 && field[0]! < 0x80) {
      parts.push(field);
      length += 1;
    } else {
      const h = header(field.length, 0x80, 0xb7);
      parts.push(h, field);
      length += h.length + field.length;
    }
  }
  const listHeader = header(length, 0xc0, 0xf7);
  return Buffer.concat([Buffer.from([0x02]), listHeader, ...parts], 1 + listHeader.length + length);
}
