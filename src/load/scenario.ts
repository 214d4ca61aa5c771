import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { chains as sdkChains, type Chain } from "@wormhole-foundation/sdk-base";
import { CHAIN_MODES, evmChainNames, type ChainMode } from "../../chains/profiles.ts";
import { TRIGGER_KINDS, type TriggerKind } from "../bridge/payload.ts";

export type Consistency = "instant" | "safe" | "finalized";

/** Wormhole consistency levels on EVM chains. */
export const CONSISTENCY_LEVEL: Record<Consistency, number> = { instant: 200, safe: 201, finalized: 1 };

export interface ChainSettings {
  /** Interval-mining block time, ms (local and fork modes). */
  blockTimeMs?: number;
  /** local (fresh anvil), fork (anvil --fork-url from the environment) or remote (existing dev node). [local] */
  mode?: ChainMode;
}

export interface StageConfig {
  /** Offered arrival rate, messages per second (open model: does not slow down for a slow bridge). */
  rate: number;
  durationS: number;
}

export interface Scenario {
  name: string;
  /** Seeds the message sequence (kinds, routes, positions). */
  seed: number;
  /** Per-chain settings; every chain named in routes must be here. */
  chains: Partial<Record<Chain, ChainSettings>>;
  routes: Array<{ from: Chain; to: Chain[] }>;
  stages: StageConfig[];
  /** After the last stage, how long in-flight messages may still arrive before they are dropped. */
  drainS: number;
  /** Relative weights of the message kinds. */
  mix: Record<TriggerKind, number>;
  /** Deadline of each kind, ms after the intended send time. */
  deadlineMs: Record<TriggerKind, number>;
  /** Padding bytes carried by spam messages. */
  spamPaddingBytes: number;
  /** Guardian set size; quorum is more than two thirds. */
  guardians: number;
  consistency: Consistency;
  /** Relayer preset in fixtures/relayers/. */
  relayer: string;
  /** Sender accounts per source chain. */
  senders: number;
}

export class ScenarioError extends Error {
  constructor(where: string, field: string, value: unknown, allowed: string) {
    super(`${where}: field "${field}" is ${JSON.stringify(value)}; ${allowed}`);
    this.name = "ScenarioError";
  }
}

const SCENARIO_DIR = fileURLToPath(new URL("../../fixtures/scenarios/", import.meta.url));

/** Parses "10s", "500ms", "2m" or a number of seconds. */
export function parseDurationS(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  if (typeof value !== "string") return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim());
  if (!match) return undefined;
  const n = Number(match[1]);
  return { ms: n / 1000, s: n, m: n * 60, h: n * 3600 }[match[2] as "ms" | "s" | "m" | "h"];
}

/** Loads a scenario by name (fixtures/scenarios/<name>.json) or by path. */
export function loadScenario(nameOrPath: string): Scenario {
  const file = existsSync(nameOrPath) ? nameOrPath : join(SCENARIO_DIR, `${nameOrPath}.json`);
  if (!existsSync(file)) throw new Error(`scenario "${nameOrPath}": no such file, and no fixtures/scenarios/${nameOrPath}.json`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`scenario ${file}: not valid JSON (${(err as Error).message})`);
  }
  return validateScenario(raw, file);
}

/** Checks every field; an error names the field, the value and what is allowed. */
export function validateScenario(raw: unknown, where: string): Scenario {
  if (typeof raw !== "object" || raw === null) throw new ScenarioError(where, "(root)", raw, "must be a JSON object");
  const r = raw as Record<string, unknown>;
  const evm = new Set<string>(evmChainNames());
  const chain = (field: string, v: unknown): Chain => {
    if (typeof v !== "string" || !evm.has(v)) {
      const hint = typeof v === "string" && (sdkChains as readonly string[]).includes(v) ? " (not an EVM chain)" : "";
      throw new ScenarioError(where, field, v, `must be an EVM chain the Wormhole SDK knows${hint}, e.g. Ethereum, Arbitrum, Base`);
    }
    return v as Chain;
  };
  const positive = (field: string, v: unknown, max = Infinity): number => {
    if (typeof v !== "number" || !(v > 0) || v > max) throw new ScenarioError(where, field, v, `must be a number > 0${max < Infinity ? ` and ≤ ${max}` : ""}`);
    return v;
  };
  const duration = (field: string, v: unknown): number => {
    const s = parseDurationS(v);
    if (s === undefined) throw new ScenarioError(where, field, v, 'must be a duration like "10s", "500ms", "2m" or a number of seconds');
    return s;
  };
  const kinds = (field: string, v: unknown, fallback: Record<TriggerKind, number>): Record<TriggerKind, number> => {
    if (v === undefined) return fallback;
    if (typeof v !== "object" || v === null) throw new ScenarioError(where, field, v, `must be an object with keys ${TRIGGER_KINDS.join(", ")}`);
    const out = { ...fallback };
    for (const [k, n] of Object.entries(v)) {
      if (!(TRIGGER_KINDS as readonly string[]).includes(k)) throw new ScenarioError(where, `${field}.${k}`, n, `unknown kind; use ${TRIGGER_KINDS.join(", ")}`);
      if (typeof n !== "number" || n < 0) throw new ScenarioError(where, `${field}.${k}`, n, "must be a number ≥ 0");
      out[k as TriggerKind] = n;
    }
    return out;
  };

  if (!Array.isArray(r.routes) || r.routes.length === 0) throw new ScenarioError(where, "routes", r.routes, 'must be a non-empty array like [{ "from": "Ethereum", "to": ["Arbitrum"] }]');
  const routes = r.routes.map((route: any, i: number) => {
    const to = route?.to;
    if (!Array.isArray(to) || to.length === 0) throw new ScenarioError(where, `routes[${i}].to`, to, "must be a non-empty array of chain names");
    const from = chain(`routes[${i}].from`, route?.from);
    return { from, to: to.map((c: unknown, j: number) => {
      const dest = chain(`routes[${i}].to[${j}]`, c);
      if (dest === from) throw new ScenarioError(where, `routes[${i}].to[${j}]`, c, "must differ from the route's source chain");
      return dest;
    }) };
  });
  if (!Array.isArray(r.stages) || r.stages.length === 0) throw new ScenarioError(where, "stages", r.stages, 'must be a non-empty array like [{ "rate": 10, "duration": "10s" }]');
  const stages = r.stages.map((s: any, i: number) => ({
    rate: positive(`stages[${i}].rate`, s?.rate, 100_000),
    durationS: duration(`stages[${i}].duration`, s?.duration),
  }));

  const chainsRaw = (r.chains ?? {}) as Record<string, unknown>;
  if (typeof chainsRaw !== "object") throw new ScenarioError(where, "chains", r.chains, "must be an object keyed by chain name");
  const chains: Scenario["chains"] = {};
  for (const [name, settings] of Object.entries(chainsRaw)) {
    const c = chain(`chains.${name}`, name);
    const { blockTimeMs, mode, ...unknown } = (settings ?? {}) as Record<string, unknown>;
    const extra = Object.keys(unknown)[0];
    if (extra) throw new ScenarioError(where, `chains.${name}.${extra}`, unknown[extra], "is not a chain setting; use blockTimeMs or mode");
    if (blockTimeMs !== undefined) positive(`chains.${name}.blockTimeMs`, blockTimeMs, 60_000);
    if (mode !== undefined && !(CHAIN_MODES as readonly unknown[]).includes(mode)) {
      throw new ScenarioError(where, `chains.${name}.mode`, mode, `must be one of ${CHAIN_MODES.join(", ")}`);
    }
    chains[c] = { blockTimeMs: blockTimeMs as number | undefined, mode: mode as ChainMode | undefined };
  }

  const consistency = (r.consistency ?? "instant") as Consistency;
  if (!(consistency in CONSISTENCY_LEVEL)) throw new ScenarioError(where, "consistency", r.consistency, `must be one of ${Object.keys(CONSISTENCY_LEVEL).join(", ")}`);
  const mix = kinds("mix", r.mix, { liquidation: 70, order: 20, cancel: 5, spam: 5 });
  if (Object.values(mix).every((w) => w === 0)) throw new ScenarioError(where, "mix", r.mix, "needs at least one weight > 0");
  const integer = (field: string, v: unknown, fallback: number, min: number, max: number): number => {
    if (v === undefined) return fallback;
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) throw new ScenarioError(where, field, v, `must be an integer from ${min} to ${max}`);
    return v as number;
  };

  return {
    name: typeof r.name === "string" ? r.name : "unnamed",
    seed: integer("seed", r.seed, 1, 0, 2 ** 32 - 1),
    chains,
    routes,
    stages,
    drainS: r.drain === undefined ? 20 : duration("drain", r.drain),
    mix,
    deadlineMs: kinds("deadlineMs", r.deadlineMs, { liquidation: 3000, order: 10_000, cancel: 10_000, spam: 60_000 }),
    spamPaddingBytes: integer("spamPaddingBytes", r.spamPaddingBytes, 256, 0, 16_384),
    guardians: integer("guardians", r.guardians, 19, 1, 19),
    consistency,
    relayer: typeof r.relayer === "string" ? r.relayer : r.relayer === undefined ? "default" : (() => { throw new ScenarioError(where, "relayer", r.relayer, "must be a preset name from fixtures/relayers/"); })(),
    senders: integer("senders", r.senders, 4, 1, 10),
  };
}
