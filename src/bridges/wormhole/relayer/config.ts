import { readFileSync, readdirSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { RelayerPresetError } from "../../../engine/bridge.ts";

/** How the reference relayer prices its transactions. */
export const GAS_STRATEGIES = ["fixed", "eip1559"] as const;
export type GasStrategy = (typeof GAS_STRATEGIES)[number];

/** How it learns that a VAA is signed. */
export const VAA_SOURCES = ["poll", "push"] as const;
export type VaaSource = (typeof VAA_SOURCES)[number];

/** Knobs of the reference relayer; each preset in fixtures/relayers/ sets them. */
export interface ReferenceRelayerConfig {
  /** Preset name (file name without .json). */
  name: string;
  /**
   * `poll`: ask the VAA API for each message until it is signed. `push`: hold one
   * server-sent-event stream of newly signed VAAs open, and ask only for messages the
   * stream has not brought within `pollIntervalMs` (a missed event, a reconnect).
   */
  vaaSource: VaaSource;
  /** poll: wait between two asks for a VAA that is not signed yet; push: how long to wait for the stream before asking. ms. */
  pollIntervalMs: number;
  /** VAA API requests in flight at once. */
  fetchConcurrency: number;
  /** Submissions in flight at once (each holds its slot until included or given up). */
  concurrency: number;
  /**
   * Messages waiting for a submission slot go in kind order — liquidation, cancel, order,
   * spam — instead of first come, first served.
   */
  priorityLanes: boolean;
  /**
   * VAAs per transaction: above 1, signed VAAs wait for each other (up to batchWaitMs) and go
   * out together through the integration's deliverBatch (built-in: the receiver's receiveMessages(bytes[])).
   */
  batchSize: number;
  /** How long the first VAA of a batch waits for more, ms. */
  batchWaitMs: number;
  /** Signer wallets per destination chain (TEST-ONLY dev accounts), 1..9. */
  wallets: number;
  /** Gas limit of one delivery transaction (a batch asks for this much per VAA, at most 25 M). */
  gasLimit: number;
  /**
   * `fixed`: max fee `maxFeeGwei`. `eip1559`: max fee = latest base fee × `feeMultiplier`
   * + priority fee, at most `maxFeeGwei`.
   */
  gasStrategy: GasStrategy;
  /** EIP-1559 max fee per gas (eip1559: the cap), gwei. */
  maxFeeGwei: number;
  /** EIP-1559 priority fee (tip), gwei. */
  priorityFeeGwei: number;
  /** eip1559: base fee multiple the max fee allows for (2: the base fee may double before inclusion). */
  feeMultiplier: number;
  /** Replace a transaction not included after this long with the same nonce and higher fees; 0: never. ms. */
  bumpAfterMs: number;
  /** How much each replacement raises the max fee and the tip, %. */
  bumpPercent: number;
  /** Submissions per message before giving up. */
  maxAttempts: number;
  /** First retry delay, ms; doubles on every further attempt. */
  backoffMs: number;
  /** How long to wait for a submitted transaction (and its replacements) to be included before retrying, ms. */
  receiptTimeoutMs: number;
}

const PRESET_DIR = fileURLToPath(new URL("../../../../fixtures/relayers/", import.meta.url));

type NumberField = Exclude<keyof ReferenceRelayerConfig, "name" | "vaaSource" | "priorityLanes" | "gasStrategy">;

/** Numeric fields: [min, max, default (absent: required)]. */
const NUMBERS: Record<NumberField, [min: number, max: number, fallback?: number]> = {
  pollIntervalMs: [1, 60_000],
  fetchConcurrency: [1, 1024],
  concurrency: [1, 4096],
  batchSize: [1, 50, 1],
  batchWaitMs: [0, 10_000, 50],
  wallets: [1, 9],
  gasLimit: [50_000, 30_000_000],
  maxFeeGwei: [0, 100_000],
  priorityFeeGwei: [0, 100_000, 1],
  feeMultiplier: [1, 100, 2],
  bumpAfterMs: [0, 600_000, 0],
  // Nodes take a replacement only when it raises the fees by 10 % or more.
  bumpPercent: [10, 1_000, 25],
  maxAttempts: [1, 100],
  backoffMs: [0, 60_000],
  receiptTimeoutMs: [100, 600_000],
};

const CHOICES = {
  vaaSource: [VAA_SOURCES, "poll"],
  gasStrategy: [GAS_STRATEGIES, "fixed"],
} as const;

const FIELDS = [...Object.keys(NUMBERS), ...Object.keys(CHOICES), "priorityLanes"];

export function relayerPresetNames(): string[] {
  return readdirSync(PRESET_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.replace(/\.json$/, ""));
}

/** Loads a preset by name from fixtures/relayers/, validating every field. */
export function loadRelayerPreset(name: string): ReferenceRelayerConfig {
  const file = join(PRESET_DIR, `${name}.json`);
  // Only a listed name: a value like "../scenarios/default" must not read a file outside the folder.
  if (!relayerPresetNames().includes(name) || !existsSync(file)) {
    throw new RelayerPresetError(`relayer preset "${name}": no such preset; use one of ${relayerPresetNames().join(", ")}`);
  }
  const where = `relayer preset "${name}"`;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new RelayerPresetError(`${where}: ${file} is not valid JSON (${(err as Error).message})`);
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new RelayerPresetError(`${where}: ${file} must hold a JSON object of the preset's fields`);
  return validateRelayerConfig({ name, ...raw }, where);
}

/** Checks every field (naming the field and what it may be) and fills in the optional ones. */
export function validateRelayerConfig(raw: Record<string, unknown>, where: string): ReferenceRelayerConfig {
  for (const key of Object.keys(raw)) {
    if (key !== "name" && key !== "description" && !FIELDS.includes(key)) {
      throw new RelayerPresetError(`${where}: unknown field "${key}"; allowed: ${FIELDS.join(", ")}`);
    }
  }
  const config: Record<string, unknown> = { ...raw };
  for (const [key, [min, max, fallback]] of Object.entries(NUMBERS)) {
    const value = raw[key] ?? fallback;
    if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
      throw new RelayerPresetError(`${where}: field "${key}" is ${JSON.stringify(value)}; must be a number from ${min} to ${max}`);
    }
    config[key] = value;
  }
  for (const [key, [allowed, fallback]] of Object.entries(CHOICES)) {
    const value = raw[key] ?? fallback;
    if (!(allowed as readonly unknown[]).includes(value)) {
      throw new RelayerPresetError(`${where}: field "${key}" is ${JSON.stringify(value)}; must be one of ${allowed.map((a) => `"${a}"`).join(", ")}`);
    }
    config[key] = value;
  }
  const lanes = raw.priorityLanes ?? false;
  if (typeof lanes !== "boolean") throw new RelayerPresetError(`${where}: field "priorityLanes" is ${JSON.stringify(lanes)}; must be true or false`);
  config.priorityLanes = lanes;
  return config as unknown as ReferenceRelayerConfig;
}
