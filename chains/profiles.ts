import { chains, toChainId, contracts, nativeChainIds, chainToPlatform, type Chain } from "@wormhole-foundation/sdk-base";
import type { Address } from "viem";
import { BridgeStressError } from "../src/infra/errors.ts";

/**
 * How a chain is provided:
 * - `local`: a fresh anvil started here;
 * - `fork`: anvil forked from the RPC URL in `BRIDGE_STRESS_FORK_URL_<CHAIN>`;
 * - `remote`: an existing dev node at `BRIDGE_STRESS_RPC_URL_<CHAIN>` (nothing is spawned;
 *   it must accept anvil's `anvil_setCode` / `anvil_setStorageAt`, as anvil and hardhat do).
 */
export const CHAIN_MODES = ["local", "fork", "remote"] as const;
export type ChainMode = (typeof CHAIN_MODES)[number];

export interface ChainProfile {
  /** Wormhole chain name, e.g. "Arbitrum". */
  name: Chain;
  /** Wormhole chain id (from the SDK). */
  wormholeChainId: number;
  /** EIP-155 chain id of the mainnet chain (from the SDK). */
  evmChainId: number;
  /** Mainnet address of the Wormhole core contract (from the SDK); the core is installed there. */
  coreAddress: Address;
  /** Interval-mining block time in ms. */
  blockTimeMs: number;
  /** Block gas limit. */
  gasLimit: bigint;
  mode: ChainMode;
  /** Block a fork starts from (fork mode only). [the origin's head] */
  forkBlock?: number;
}

/** Block times that keep local runs fast while preserving the chains' relative speeds. */
const DEFAULT_BLOCK_TIME_MS: Partial<Record<Chain, number>> = {
  Ethereum: 500,
  Arbitrum: 250,
  Base: 250,
};

/** A chain that cannot run as configured: not an EVM chain the SDK knows, or a fork/remote mode without its RPC URL. */
export class ChainConfigError extends BridgeStressError {
  static override readonly code = "chain-config-invalid";
  static override readonly docs = "README.md#chains";
}

/** Profile of an EVM chain the Wormhole SDK knows, with ids and addresses taken from the SDK. */
export function chainProfile(name: Chain, overrides: Partial<Omit<ChainProfile, "name">> = {}): ChainProfile {
  if (chainToPlatform(name) !== "Evm")
    throw new ChainConfigError(`chain "${name}": not an EVM chain; pick one of ${evmChainNames().slice(0, 8).join(", ")}, ...`);
  const core = contracts.coreBridge.get("Mainnet", name);
  if (!core) throw new ChainConfigError(`chain "${name}": the Wormhole SDK has no mainnet core address for it`);
  return {
    name,
    wormholeChainId: toChainId(name),
    evmChainId: Number(nativeChainIds.networkChainToNativeChainId.get("Mainnet", name)),
    coreAddress: core as Address,
    blockTimeMs: DEFAULT_BLOCK_TIME_MS[name] ?? 250,
    gasLimit: 30_000_000n,
    mode: "local",
    ...overrides,
  };
}

/** EVM chains that have a mainnet core contract in the SDK. */
export function evmChainNames(): Chain[] {
  return chains.filter(
    (c) =>
      chainToPlatform(c) === "Evm" &&
      contracts.coreBridge.get("Mainnet", c) !== undefined &&
      nativeChainIds.networkChainToNativeChainId.get("Mainnet", c) !== undefined,
  );
}

/** Environment variable holding the fork or remote URL of a chain. */
export function chainUrlVariable(name: Chain, mode: Exclude<ChainMode, "local">): string {
  return `BRIDGE_STRESS_${mode === "fork" ? "FORK_URL" : "RPC_URL"}_${name.toUpperCase()}`;
}
