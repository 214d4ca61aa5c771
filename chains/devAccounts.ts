import { mnemonicToAccount } from "viem/accounts";
import { bytesToHex, type Hex } from "viem";

/**
 * anvil's default mnemonic. Its keys are public TEST-ONLY keys: they hold value only on
 * local chains; never send real funds to them.
 */
export const TEST_MNEMONIC = "test test test test test test test test test test test junk";

/** Number of funded dev accounts every local anvil is started with. */
export const DEV_ACCOUNTS = 30;

/** Roles of the dev accounts, so load senders, relayer wallets and the deployer never share nonces. */
export const ACCOUNT_ROLES = {
  /** Load senders on source chains: accounts 0..9. */
  senders: { first: 0, max: 10 },
  /** Relayer wallets on destination chains: accounts 10..18. */
  relayer: { first: 10, max: 9 },
  /** Deployer of hub and receiver contracts. */
  deployer: { first: 19, max: 1 },
  /** Background traffic of congestion faults: accounts 20..29. */
  background: { first: 20, max: 10 },
} as const;

const cache = new Map<number, Hex>();

/** TEST-ONLY private key of dev account `index` of the test mnemonic. */
export function devPrivateKey(index: number): Hex {
  let key = cache.get(index);
  if (!key) {
    const hd = mnemonicToAccount(TEST_MNEMONIC, { addressIndex: index }).getHdKey();
    key = bytesToHex(hd.privateKey!);
    cache.set(index, key);
  }
  return key;
}

/** TEST-ONLY keys of `count` accounts of a role; throws if the role has fewer. */
export function roleKeys(role: keyof typeof ACCOUNT_ROLES, count: number): Hex[] {
  const { first, max } = ACCOUNT_ROLES[role];
  if (!Number.isInteger(count) || count < 1 || count > max) {
    throw new Error(`${role} accounts: ${count} requested; must be 1..${max}`);
  }
  return Array.from({ length: count }, (_, i) => devPrivateKey(first + i));
}
