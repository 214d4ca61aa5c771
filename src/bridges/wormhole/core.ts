import { ethers_contracts } from "@wormhole-foundation/sdk-evm-core";
import { encodeAbiParameters, keccak256, toHex, pad, hexToBigInt, type Address, type Hex } from "viem";
import { rpc } from "../../infra/rpc.ts";

/** ABI of the real Wormhole core implementation, as shipped in the SDK. */
export const coreAbi = ethers_contracts.Implementation__factory.abi;

export interface CoreState {
  /** This chain's Wormhole chain id. */
  wormholeChainId: number;
  /** This chain's EIP-155 id; must equal `block.chainid` or the core thinks it is a fork. */
  evmChainId: number;
  /** Guardian addresses of guardian set `guardianSetIndex`. */
  guardians: Address[];
  /** [0] */
  guardianSetIndex?: number;
  /** Fee of publishMessage in wei. [0] */
  messageFee?: bigint;
  /** Chain that may send governance VAAs. [1, Solana, as on mainnet] */
  governanceChainId?: number;
  /** Governance emitter (32 bytes). [0x…04, as on mainnet] */
  governanceContract?: Hex;
}

/**
 * Storage of the core contract, from Wormhole's `ethereum/contracts/State.sol`
 * (struct `WormholeState`, declared in this order):
 *
 * | slot | field |
 * | 0 | `provider.chainId` (bits 0–15) and `provider.governanceChainId` (bits 16–31) |
 * | 1 | `provider.governanceContract` (bytes32) |
 * | 2 | `guardianSets` mapping(uint32 ⇒ {address[] keys; uint32 expirationTime}) |
 * | 3 | `guardianSetIndex` (bits 0–31) and `guardianSetExpiry` (bits 32–63) |
 * | 4 | `sequences` mapping — starts empty |
 * | 5 | `consumedGovernanceActions` mapping — starts empty |
 * | 6 | `initializedImplementations` mapping(address ⇒ bool) |
 * | 7 | `messageFee` |
 * | 8 | `evmChainId` |
 *
 * For guardian set i: S = keccak256(abi.encode(uint32 i, uint256 2)) holds the number of keys,
 * S + 1 the expiration time (0 = current set), keccak256(S) + k the k-th key.
 */
/** Slot S of guardian set `index` (its key count; S + 1 its expiration time) and the first key's slot, keccak256(S). */
function guardianSetSlots(index: number): { setSlot: Hex; keysSlot: bigint } {
  const setSlot = keccak256(encodeAbiParameters([{ type: "uint32" }, { type: "uint256" }], [index, 2n]));
  return { setSlot, keysSlot: hexToBigInt(keccak256(setSlot)) };
}

const word = (v: bigint | number): Hex => pad(toHex(v), { size: 32 });

export function coreStorage(coreAddress: Address, state: CoreState): Array<[slot: Hex, value: Hex]> {
  const index = state.guardianSetIndex ?? 0;
  const governanceChainId = state.governanceChainId ?? 1;
  const governanceContract = state.governanceContract ?? pad("0x04", { size: 32 });
  const { setSlot, keysSlot } = guardianSetSlots(index);
  const initializedSlot = keccak256(encodeAbiParameters([{ type: "address" }, { type: "uint256" }], [coreAddress, 6n]));
  const GUARDIAN_SET_EXPIRY = 86_400n; // as on mainnet: an old set stays valid 24 h after an upgrade

  const writes: Array<[Hex, Hex]> = [
    [word(0), word((BigInt(governanceChainId) << 16n) | BigInt(state.wormholeChainId))],
    [word(1), governanceContract],
    [word(3), word((GUARDIAN_SET_EXPIRY << 32n) | BigInt(index))],
    [initializedSlot, word(1)],
    [word(7), word(state.messageFee ?? 0n)],
    [word(8), word(state.evmChainId)],
    [setSlot, word(state.guardians.length)],
    [word(hexToBigInt(setSlot) + 1n), word(0)],
  ];
  for (const [k, guardian] of state.guardians.entries()) writes.push([word(keysSlot + BigInt(k)), pad(guardian, { size: 32 })]);
  return writes;
}

let runtimeCode: Hex | undefined;

/** Runtime code of the core implementation: its creation code run once with eth_call. */
async function coreRuntimeCode(rpcUrl: string): Promise<Hex> {
  runtimeCode ??= await rpc<Hex>(rpcUrl, "eth_call", [{ data: ethers_contracts.Implementation__factory.bytecode }, "latest"]);
  if (!runtimeCode || runtimeCode.length < 1000) throw new Error("Wormhole core: creation code produced no runtime code");
  return runtimeCode;
}

/**
 * Puts the real Wormhole core implementation at `coreAddress` (its mainnet address) and writes
 * its initial state. Needs a node that accepts `anvil_setCode` / `anvil_setStorageAt`.
 */
export async function installCore(rpcUrl: string, coreAddress: Address, state: CoreState): Promise<void> {
  await rpc(rpcUrl, "anvil_setCode", [coreAddress, await coreRuntimeCode(rpcUrl)]);
  await Promise.all(coreStorage(coreAddress, state).map(([slot, value]) => rpc(rpcUrl, "anvil_setStorageAt", [coreAddress, slot, value])));
}

/** A core contract found on a chain (a fork or a remote node), as read before the run changes it. */
export interface ExistingCore {
  /** keccak256 of its runtime code. */
  codeHash: Hex;
  /** Its current guardian set index (slot 3, bits 0–31). */
  guardianSetIndex: number;
  /** How many keys that set had. */
  guardianCount: number;
  /** Its message fee, wei (slot 7). */
  messageFee: bigint;
}

const storageAt = (rpcUrl: string, address: Address, slot: Hex | bigint) =>
  rpc<Hex>(rpcUrl, "eth_getStorageAt", [address, typeof slot === "bigint" ? word(slot) : slot, "latest"]).then(hexToBigInt);

/** The core at `coreAddress`, or undefined when the address holds no code (a local chain, or a fork of a chain without Wormhole). */
export async function readExistingCore(rpcUrl: string, coreAddress: Address): Promise<ExistingCore | undefined> {
  const code = await rpc<Hex>(rpcUrl, "eth_getCode", [coreAddress, "latest"]);
  if (!code || code === "0x") return undefined;
  const guardianSetIndex = Number((await storageAt(rpcUrl, coreAddress, 3n)) & 0xffff_ffffn);
  return {
    codeHash: keccak256(code),
    guardianSetIndex,
    guardianCount: Number(await storageAt(rpcUrl, coreAddress, guardianSetSlots(guardianSetIndex).setSlot)),
    messageFee: await storageAt(rpcUrl, coreAddress, 7n),
  };
}

/**
 * Makes `guardians` the core's current guardian set without replacing its code, as Wormhole's
 * own fork tests do: the keys are written as the set at the current index (the key count at S,
 * each key at keccak256(S) + k) and the key slots a longer old set leaves behind are zeroed.
 * The set's expiration time (S + 1, 0 for the current set), slot 3 (index and expiry period)
 * and every other slot stay as they are, except the message fee when `messageFee` is given.
 */
export async function overrideGuardianSet(
  rpcUrl: string,
  coreAddress: Address,
  existing: ExistingCore,
  guardians: Address[],
  messageFee?: bigint,
): Promise<void> {
  const { setSlot, keysSlot } = guardianSetSlots(existing.guardianSetIndex);
  const writes: Array<[Hex, Hex]> = [[setSlot, word(guardians.length)]];
  for (const [k, guardian] of guardians.entries()) writes.push([word(keysSlot + BigInt(k)), pad(guardian, { size: 32 })]);
  for (let k = guardians.length; k < existing.guardianCount; k++) writes.push([word(keysSlot + BigInt(k)), word(0)]);
  if (messageFee !== undefined) writes.push([word(7), word(messageFee)]);
  await Promise.all(writes.map(([slot, value]) => rpc(rpcUrl, "anvil_setStorageAt", [coreAddress, slot, value])));
}
