import { readFileSync, readdirSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

/** Knobs of the reference relayer; each preset in fixtures/relayers/ sets them. */
export interface ReferenceRelayerConfig {
  /** Preset name (file name without .json). */
  name: string;
  /** Wait between two asks for a VAA that is not signed yet, ms. */
  pollIntervalMs: number;
  /** VAA API requests in flight at once. */
  fetchConcurrency: number;
  /** Submissions in flight at once (each holds its slot until included or given up). */
  concurrency: number;
  /** Signer wallets per destination chain (TEST-ONLY dev accounts), 1..9. */
  wallets: number;
  /** Gas limit of one receiveMessage transaction. */
  gasLimit: number;
  /** EIP-1559 max fee per gas, gwei. */
  maxFeeGwei: number;
  /** Submissions per message before giving up. */
  maxAttempts: number;
  /** First retry delay, ms; doubles on every further attempt. */
  backoffMs: number;
  /** How long to wait for a submitted transaction to be included before retrying, ms. */
  receiptTimeoutMs: number;
}

const PRESET_DIR = fileURLToPath(new URL("../../fixtures/relayers/", import.meta.url));

const FIELDS: Record<Exclude<keyof ReferenceRelayerConfig, "name">, [min: number, max: number]> = {
  pollIntervalMs: [1, 60_000],
  fetchConcurrency: [1, 1024],
  concurrency: [1, 4096],
  wallets: [1, 9],
  gasLimit: [50_000, 30_000_000],
  maxFeeGwei: [0, 100_000],
  maxAttempts: [1, 100],
  backoffMs: [0, 60_000],
  receiptTimeoutMs: [100, 600_000],
};

export function relayerPresetNames(): string[] {
  return readdirSync(PRESET_DIR).filter((f) => f.endsWith(".json")).map((f) => f.replace(/\.json$/, ""));
}

/** Loads a preset by name from fixtures/relayers/, validating every field. */
export function loadRelayerPreset(name: string): ReferenceRelayerConfig {
  const file = join(PRESET_DIR, `${name}.json`);
  if (!existsSync(file)) {
    throw new Error(`relayer preset "${name}": no such preset; use one of ${relayerPresetNames().join(", ")}`);
  }
  return validateRelayerConfig({ name, ...JSON.parse(readFileSync(file, "utf8")) }, `relayer preset "${name}"`);
}

export function validateRelayerConfig(raw: Record<string, unknown>, where: string): ReferenceRelayerConfig {
  for (const key of Object.keys(raw)) {
    if (key !== "name" && key !== "description" && !(key in FIELDS)) {
      throw new Error(`${where}: unknown field "${key}"; allowed: ${Object.keys(FIELDS).join(", ")}`);
    }
  }
  for (const [key, [min, max]] of Object.entries(FIELDS)) {
    const value = raw[key];
    if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
      throw new Error(`${where}: field "${key}" is ${JSON.stringify(value)}; must be a number from ${min} to ${max}`);
    }
  }
  return raw as unknown as ReferenceRelayerConfig;
}
