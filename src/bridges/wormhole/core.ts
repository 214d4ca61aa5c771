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
export function coreStorage(coreAddress: Address, state: CoreState): Array<[slot: Hex, value: Hex]> {
  const word = (v: bigint | number): Hex => pad(toHex(v), { size: 32 });
  const index = state.guardianSetIndex ?? 0;
  const governanceChainId = state.governanceChainId ?? 1;
  const governanceContract = state.governanceContract ?? pad("0x04", { size: 32 });
  const setSlot = keccak256(encodeAbiParameters([{ type: "uint32" }, { type: "uint256" }], [index, 2n]));
  const keysSlot = hexToBigInt(keccak256(setSlot));
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
