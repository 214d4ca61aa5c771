import { createPublicClient, http, type Hex, type PublicClient } from "viem";
import type { ExecutionContext } from "ava";
import { Anvil } from "../../chains/anvil.ts";
import { chainProfile, type ChainProfile } from "../../chains/profiles.ts";
import { installCore } from "../../src/bridges/wormhole/core.ts";
import { generateGuardianKeys, type GuardianKey } from "../../src/bridges/wormhole/guardians/guardianKeys.ts";
import { bodyDigest, serializeBody, serializeVaa, signDigest, type VaaBody } from "../../src/bridges/wormhole/vaa.ts";
import type { Chain } from "@wormhole-foundation/sdk-base";

export interface TestChain {
  anvil: Anvil;
  profile: ChainProfile;
  client: PublicClient;
  keys: GuardianKey[];
}

/** An anvil with the Wormhole core installed, stopped when the test (or its file) ends. */
export async function chainWithCore(t: ExecutionContext, name: Chain, guardians = 19): Promise<TestChain> {
  const profile = chainProfile(name, { blockTimeMs: 100 });
  const anvil = new Anvil({ name: `anvil:${name}`, chainId: profile.evmChainId, blockTimeMs: profile.blockTimeMs });
  t.teardown(() => anvil.stop());
  await anvil.start();
  const keys = generateGuardianKeys(guardians);
  await installCore(anvil.rpcUrl, profile.coreAddress, {
    wormholeChainId: profile.wormholeChainId,
    evmChainId: profile.evmChainId,
    guardians: keys.map((k) => k.address),
  });
  return { anvil, profile, client: createPublicClient({ transport: http(anvil.rpcUrl) }), keys };
}

/** A VAA over `body` signed by the guardians at `signers` (indices into `keys`). */
export function signedVaa(keys: GuardianKey[], signers: number[], body: VaaBody, guardianSetIndex = 0): Hex {
  const bodyBytes = serializeBody(body);
  const digest = bodyDigest(bodyBytes);
  const signatures = signers.map((i) => ({ guardianIndex: i, signature: signDigest(keys[i]!.privateKey, digest) }));
  const bytes = serializeVaa({ guardianSetIndex, signatures, bodyBytes });
  return `0x${Buffer.from(bytes).toString("hex")}`;
}

export const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
