import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { z } from "zod";
import { chains as sdkChains, type Chain } from "@wormhole-foundation/sdk-base";
import { CHAIN_MODES, evmChainNames, type ChainMode } from "../../chains/profiles.ts";
import { TRIGGER_KINDS, type TriggerKind } from "../measure/kinds.ts";
import { parseThreshold, type Threshold } from "../measure/thresholds.ts";
import { DEFAULT_RISK, type RiskSettings } from "../measure/risk.ts";
import { checkFaults, faultSchema, toFaultSpec, type FaultCatalog, type FaultFieldParts, type FaultSpec } from "./faultKinds.ts";

export type Consistency = "instant" | "safe" | "finalized";

/** Wormhole consistency levels on EVM chains. */
export const CONSISTENCY_LEVEL: Record<Consistency, number> = { instant: 200, safe: 201, finalized: 1 };

export interface ChainSettings {
  /** Interval-mining block time, ms (local and fork modes). */
  blockTimeMs?: number;
  /** local (fresh anvil), fork (anvil --fork-url from the environment) or remote (existing dev node). [local] */
  mode?: ChainMode;
}

/**
 * How a stage's messages are spaced: `even` — message k at the time its rate makes k due
 * (fixed gaps at a constant rate); `poisson` — a Poisson process at the stage's rate, gaps
 * drawn exponential from the scenario's seed, so messages come in bursts and lulls.
 */
export const ARRIVALS = ["even", "poisson"] as const;
export type Arrivals = (typeof ARRIVALS)[number];

/** One stage after expansion: the offered rate goes linearly from `startRate` to `rate` (equal for constant stages). */
export interface StageConfig {
  /** Offered arrival rate at the stage's end, messages per second (open model). */
  rate: number;
  /** Offered rate at the stage's start. */
  startRate: number;
  durationS: number;
  /** Start, ms from the run's start, when stages do not simply follow each other (capacity-search probes). */
  startAtMs?: number;
  /** Set when the stage chose its own; otherwise the scenario's `arrivals`. */
  arrivals?: Arrivals;
}

/** Capacity search (ramp-to-knee): probe rising rates until one fails, then bisect. */
export interface SearchConfig {
  /** Rate of the first probe, messages/s. */
  from: number;
  /** Next rate = rate × factor (when step is not set). */
  factor: number;
  /** Next rate = rate + step. */
  step?: number;
  /** Highest rate to probe. */
  max: number;
  /** Length of each probe. */
  durationS: number;
  /** After a probe, how long its messages may take to finish before it is judged. */
  cooldownS: number;
  /** Bisection probes between the last passing and the first failing rate. */
  refine: number;
}

/** How messages travel: Wormhole between EVM chains, CosmJS transactions into a Cosmos chain, or IBC between two. */
export type Bridge = "wormhole" | "cosmos" | "ibc";

/** The IBC path of the `ibc` bridge: a second localnet like `cosmos`, and rly between them. */
export interface IbcSettings {
  /** Chain id of the destination localnet (the source is `cosmos.chainId`). */
  destinationChainId: string;
  /** rly preset in fixtures/relayers/rly/. */
  relayer: string;
  /** ICS-20 packet timeout after the send, ms: a packet not received by then is dropped as ibc-timeout. */
  timeoutMs: number;
}

/** The Cosmos localnet of the `cosmos` bridge. */
export interface CosmosSettings {
  chainId: string;
  /** Validators, each its own process. */
  validators: number;
  /** CometBFT timeout_commit, ms. */
  blockTimeMs: number;
  /** Sender accounts (each with its own sequence). */
  accounts: number;
  /** Validator height skew (blocks) above which a stage fails the desync criterion. */
  maxHeightSkew: number;
  /** x/auth max_memo_characters: the trigger memo takes 193. */
  maxMemoCharacters: number;
  /** CometBFT mempool size, transactions. */
  mempoolSize: number;
}

export interface Scenario {
  name: string;
  /** wormhole (default) or cosmos. */
  bridge: Bridge;
  /** The Cosmos localnet (bridge cosmos; the source chain of bridge ibc). */
  cosmos: CosmosSettings;
  /** The IBC path (bridge ibc). */
  ibc: IbcSettings;
  /** The market the triggers protect, for the liquidation-risk columns of steps.csv. */
  risk: RiskSettings;
  /** Seeds the message sequence (kinds, routes, positions, and Poisson arrival times). */
  seed: number;
  /** Arrivals of every stage (and capacity-search probe) that does not choose its own. */
  arrivals: Arrivals;
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
  /** Sends waiting for the source node's answer at once; a message due while the cap is full is dropped as not-sent (k6's dropped_iterations). */
  maxInFlightSends: number;
  /** Pass/fail criteria checked at the end (k6 style, e.g. "p99<2000"). */
  thresholds: Threshold[];
  /** The p99 delay a sustainable stage must stay under (a capacity criterion), ms. */
  sloP99Ms?: number;
  /** The p99 guardian observation skew a sustainable stage must stay under (the desync criterion), ms. */
  desyncMs?: number;
  /** Share of a stage's liquidation triggers that may miss their deadline (the deadlines-missed criterion); default 0.01. */
  maxLateShare?: number;
  /** When set, the run is a capacity search and `stages` are the probes it made. */
  search?: SearchConfig;
  /** Faults on the run's timeline. */
  faults: FaultSpec[];
}

/** The source of every message on the cosmos bridge (messages.csv's source_chain). */
export const COSMOS_SENDERS = "cosmjs";

/** One thing wrong in a scenario: the field, its value, and what is allowed (the fix). */
export interface ScenarioProblem {
  field: string;
  value: unknown;
  allowed: string;
}

const problemLine = (p: ScenarioProblem): string => `field "${p.field}" is ${JSON.stringify(p.value)}; ${p.allowed}`;

/** Everything wrong with a scenario: one problem as `<where>: field …`, several as a count and one line each. */
export class ScenarioError extends Error {
  readonly problems: ScenarioProblem[];

  constructor(where: string, field: string, value: unknown, allowed: string);
  constructor(where: string, problems: ScenarioProblem[]);
  constructor(where: string, fieldOrProblems: string | ScenarioProblem[], value?: unknown, allowed?: string) {
    const problems = typeof fieldOrProblems === "string" ? [{ field: fieldOrProblems, value, allowed: allowed! }] : fieldOrProblems;
    const lines = problems.map((p) => `\n  ${problemLine(p)}`).join("");
    super(problems.length === 1 ? `${where}: ${problemLine(problems[0]!)}` : `${where}: ${problems.length} errors:${lines}`);
    this.name = "ScenarioError";
    this.problems = problems;
  }
}

const SCENARIO_DIR = fileURLToPath(new URL("../../fixtures/scenarios/", import.meta.url));

/** Names of the scenarios shipped in fixtures/scenarios/: load scenarios, then one per fault family (README "Fault scenarios"). */
export const SHIPPED_SCENARIOS = [
  "default",
  "smoke",
  "ramp-to-knee",
  "soak",
  "cosmos",
  "ibc",
  "fault-guardian-outage",
  "fault-gossip-partition",
  "fault-rpc-latency",
  "fault-rpc-outage",
  "fault-reorg-instant",
  "fault-reorg-finalized",
  "fault-relayer-restart",
  "fault-congestion",
  "fault-validator-halt",
] as const;

/** Parses "10s", "500ms", "2m", "1h" or a number of seconds. */
export function parseDurationS(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  if (typeof value !== "string") return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim());
  if (!match) return undefined;
  const n = Number(match[1]);
  return { ms: n / 1000, s: n, m: n * 60, h: n * 3600 }[match[2] as "ms" | "s" | "m" | "h"];
}

const DURATION_HINT = 'must be a duration like "10s", "500ms", "2m" or a number of seconds';
const duration = z.unknown().transform((v, ctx) => {
  const s = parseDurationS(v);
  if (s === undefined) {
    ctx.addIssue({ code: "custom", message: DURATION_HINT, input: v });
    return z.NEVER;
  }
  return s;
});
const rate = (what = "a number") =>
  z
    .number({ error: `must be ${what} > 0 and ≤ 100000 (messages per second)` })
    .positive({ error: "must be a number > 0" })
    .max(100_000, { error: "must be ≤ 100000" });
const integer = (min: number, max: number) =>
  z
    .number({ error: `must be an integer from ${min} to ${max}` })
    .int({ error: `must be an integer from ${min} to ${max}` })
    .min(min, { error: `must be an integer from ${min} to ${max}` })
    .max(max, { error: `must be an integer from ${min} to ${max}` });

function evmChain() {
  const evm = new Set<string>(evmChainNames());
  return z.string({ error: "must be a chain name, e.g. Ethereum" }).superRefine((v, ctx) => {
    if (evm.has(v)) return;
    const hint = (sdkChains as readonly string[]).includes(v) ? " (not an EVM chain)" : "";
    ctx.addIssue({ code: "custom", message: `must be an EVM chain the Wormhole SDK knows${hint}, e.g. Ethereum, Arbitrum, Base`, input: v });
  });
}

const kindWeights = (what: string) =>
  z.strictObject(
    Object.fromEntries(
      TRIGGER_KINDS.map((k) => [
        k,
        z
          .number({ error: `must be a number ≥ 0 (${what})` })
          .min(0, { error: "must be a number ≥ 0" })
          .optional(),
      ]),
    ) as Record<TriggerKind, z.ZodOptional<z.ZodNumber>>,
  );

const arrivals = z.enum(ARRIVALS, { error: 'must be "even" (fixed gaps, the default) or "poisson" (exponential gaps drawn from the seed: bursts)' });
const constantStage = z.strictObject({ type: z.literal("constant").optional(), rate: rate(), duration, arrivals: arrivals.optional() });
const rampingStage = z.strictObject({
  type: z.literal("ramping"),
  from: z.number().min(0).optional(),
  rate: rate(),
  duration,
  arrivals: arrivals.optional(),
});
const stepsStage = z
  .strictObject({ type: z.literal("steps"), from: rate(), to: rate(), step: rate(), duration, arrivals: arrivals.optional() })
  .refine((s) => s.to >= s.from, { message: "steps: `to` must be ≥ `from`", path: ["to"] })
  .refine((s) => (s.to - s.from) / s.step <= 1000, { message: "steps: at most 1000 steps", path: ["step"] });
const stage = z.unknown().pipe(
  z.discriminatedUnion("type", [constantStage.extend({ type: z.literal("constant") }), rampingStage, stepsStage], {
    error:
      'must be "constant" (the default), "ramping" or "steps": { "rate": n, "duration": "10s" }, { "type": "ramping", "from": n, "rate": n, "duration": … } or { "type": "steps", "from": n, "to": n, "step": n, "duration": … }',
  }),
);

/** The zod pieces every fault kind's fields are built from. */
const faultParts: FaultFieldParts = {
  duration: duration as unknown as z.ZodType<number>,
  count: integer(1, 19),
  target: z.string({ error: 'must be a chain of the scenario (e.g. "Arbitrum") or "vaa-api"' }),
  ms: () => z.number({ error: "must be a number of ms ≥ 0" }).min(0, { error: "must be a number of ms ≥ 0" }),
};

function scenarioSchema(catalog: FaultCatalog) {
  const chain = evmChain();
  return z.strictObject({
    name: z.string().optional(),
    description: z.string().optional(),
    seed: integer(0, 2 ** 32 - 1).default(1),
    arrivals: arrivals.default("even"),
    chains: z
      .record(
        chain,
        z.strictObject({
          blockTimeMs: z.number().positive({ error: "must be a number > 0" }).max(60_000).optional(),
          mode: z.enum(CHAIN_MODES, { error: `must be one of ${CHAIN_MODES.join(", ")}` }).optional(),
        }),
      )
      .default({}),
    bridge: z
      .enum(["wormhole", "cosmos", "ibc"], {
        error:
          'must be "wormhole" (EVM chains, the default), "cosmos" (CosmJS transactions into a Cosmos localnet) or "ibc" (ICS-20 transfers between two localnets, relayed by rly)',
      })
      .default("wormhole"),
    risk: z
      .strictObject({
        annualVolatility: z
          .number({ error: "must be a share > 0, e.g. 0.8 for 80 % a year" })
          .positive({ error: "must be a share > 0, e.g. 0.8 for 80 % a year" })
          .max(20),
        maintenanceMargin: z.number({ error: "must be a share from 0 to 1, e.g. 0.005 for 0.5 %" }).min(0).max(1),
        distribution: z.enum(["normal", "student-t"], {
          error: 'must be "normal" or "student-t" (the law of the price\'s log return over a trigger\'s delay)',
        }),
        tailDof: z
          .number({ error: "must be a number of degrees of freedom > 2, e.g. 3 (the Student-t variance is finite only above 2)" })
          .gt(2, { error: "must be a number of degrees of freedom > 2, e.g. 3 (the Student-t variance is finite only above 2)" })
          .max(1000, { error: 'must be at most 1000 (beyond that Student\'s t is the normal law: use "distribution": "normal")' }),
      })
      .partial()
      .default({}),
    ibc: z
      .strictObject({
        destinationChainId: z
          .string()
          .regex(/^[a-z][a-z0-9-]{1,40}$/, { error: 'must be a chain id like "stress-b" (lower-case letters, digits, dashes)' })
          .default("stress-b"),
        relayer: z.string({ error: "must be an rly preset name from fixtures/relayers/rly/" }).default("default"),
        timeoutMs: z.number({ error: "must be a number of ms ≥ 1" }).min(1, { error: "must be a number of ms ≥ 1" }).default(60_000),
      })
      .default({ destinationChainId: "stress-b", relayer: "default", timeoutMs: 60_000 }),
    cosmos: z
      .strictObject({
        chainId: z
          .string()
          .regex(/^[a-z][a-z0-9-]{1,40}$/, { error: 'must be a chain id like "stress-a" (lower-case letters, digits, dashes)' })
          .default("stress-a"),
        validators: integer(1, 10).default(4),
        blockTimeMs: z.number({ error: "must be a number of ms from 50 to 10000" }).min(50).max(10_000).default(500),
        accounts: integer(1, 50).default(8),
        maxHeightSkew: integer(1, 1000).default(3),
        maxMemoCharacters: integer(1, 1_000_000).default(4096),
        mempoolSize: integer(1, 1_000_000).default(5000),
      })
      .default({ chainId: "stress-a", validators: 4, blockTimeMs: 500, accounts: 8, maxHeightSkew: 3, maxMemoCharacters: 4096, mempoolSize: 5000 }),
    routes: z
      .array(z.strictObject({ from: chain, to: z.array(chain).min(1, { error: "must be a non-empty array of chain names" }) }), {
        error: 'must be a non-empty array like [{ "from": "Ethereum", "to": ["Arbitrum"] }]',
      })
      .min(1, { error: 'must be a non-empty array like [{ "from": "Ethereum", "to": ["Arbitrum"] }]' })
      .superRefine((routes, ctx) => {
        routes.forEach((r, i) => {
          r.to.forEach((to, j) => {
            if (to === r.from) ctx.addIssue({ code: "custom", path: [i, "to", j], message: "must differ from the route's source chain", input: to });
          });
        });
      })
      .optional(),
    search: z
      .strictObject({
        from: rate(),
        factor: z.number({ error: "must be a number > 1" }).gt(1, { error: "must be a number > 1" }).default(1.5),
        step: rate().optional(),
        max: rate(),
        duration: duration.default(10),
        cooldown: duration.default(30),
        refine: integer(0, 10).default(3),
      })
      .refine((v) => v.max >= v.from, { message: "must be ≥ search.from", path: ["max"] })
      .optional(),
    slo: z
      .strictObject({
        p99Ms: z.number({ error: "must be a number of ms > 0" }).positive({ error: "must be a number of ms > 0" }).optional(),
        desyncMs: z.number({ error: "must be a number of ms > 0" }).positive({ error: "must be a number of ms > 0" }).optional(),
        maxLateShare: z
          .number({ error: "must be a share from 0 to 1, e.g. 0.05" })
          .min(0, { error: "must be a share from 0 to 1, e.g. 0.05" })
          .max(1, { error: "must be a share from 0 to 1, e.g. 0.05" })
          .optional(),
      })
      .optional(),
    stages: z
      .array(
        z
          .unknown()
          .transform((s) => (s && typeof s === "object" && !("type" in s) ? { ...s, type: "constant" } : s))
          .pipe(stage),
        {
          error: 'must be a non-empty array like [{ "rate": 10, "duration": "10s" }]',
        },
      )
      .min(1, { error: 'must be a non-empty array like [{ "rate": 10, "duration": "10s" }]' })
      .optional(),
    drain: duration.default(20),
    mix: kindWeights("a weight").default({}),
    deadlineMs: kindWeights("ms").default({}),
    spamPaddingBytes: integer(0, 16_384).default(256),
    guardians: integer(1, 19).default(19),
    consistency: z.enum(["instant", "safe", "finalized"], { error: "must be one of instant, safe, finalized" }).default("instant"),
    relayer: z.string({ error: "must be a preset name from fixtures/relayers/" }).default("default"),
    senders: integer(1, 10).default(4),
    maxInFlightSends: integer(1, 1_000_000).default(10_000),
    thresholds: z.array(z.string({ error: 'must be an expression like "p99<2000"' })).default([]),
    faults: z.array(faultSchema(catalog, faultParts)).default([]),
  });
}

/** Turns "steps" and "ramping" stages into the flat list the schedule runs. */
function expandStages(stages: Array<z.infer<typeof constantStage> | z.infer<typeof rampingStage> | z.infer<typeof stepsStage>>): StageConfig[] {
  const out: StageConfig[] = [];
  for (const s of stages) {
    const own = s.arrivals ? { arrivals: s.arrivals } : {};
    if (s.type === "steps") {
      for (let r = s.from; r <= s.to + 1e-9; r += s.step) out.push({ rate: r, startRate: r, durationS: s.duration, ...own });
    } else if (s.type === "ramping") {
      out.push({ rate: s.rate, startRate: s.from ?? out.at(-1)?.rate ?? 0, durationS: s.duration, ...own });
    } else {
      out.push({ rate: s.rate, startRate: s.rate, durationS: s.duration, ...own });
    }
  }
  return out;
}

function fieldPath(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("") || "(root)";
}

/** The field a zod issue is about, with the value it had (the offending field's, where zod reports its parent). */
function issueProblems(issue: z.core.$ZodIssue): ScenarioProblem[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({
      field: fieldPath([...issue.path, key]),
      value: (issue.input as Record<string, unknown>)?.[key],
      allowed: "is not a field here; check the spelling (the README lists every field)",
    }));
  }
  // A discriminator issue reports the whole object; show the offending field's value.
  const last = issue.path.at(-1);
  const parent = issue.input && typeof issue.input === "object" && typeof last === "string" && last in issue.input;
  const input = parent ? (issue.input as Record<string, unknown>)[last] : issue.input;
  return [{ field: fieldPath(issue.path), value: input, allowed: issue.message }];
}

/**
 * Checks every field and reports every problem at once (ScenarioError): each names the field,
 * the value and what is allowed. The rules across fields are checked too when the schema
 * finds errors, on the fields it found none in (a rule that reads an erroneous field waits
 * until that field is fixed, rather than report on a default in its place).
 */
export function parseScenario(raw: unknown, where: string, catalog: FaultCatalog): Scenario {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ScenarioError(where, "(root)", raw, "must be a JSON object");
  const schema = scenarioSchema(catalog);
  const problems: ScenarioProblem[] = [];
  let parsed = schema.safeParse(raw, { reportInput: true });
  /** Top-level fields with a schema error: left out of the rules below. */
  const bad = new Set<string>();
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(...issueProblems(issue));
      if (issue.code === "unrecognized_keys" && issue.path.length === 0) for (const k of issue.keys) bad.add(k);
      else if (issue.path.length) bad.add(String(issue.path[0]));
    }
    parsed = schema.safeParse(Object.fromEntries(Object.entries(raw).filter(([key]) => !bad.has(key))), { reportInput: true });
  }
  /** Reports a rule's violation unless it reads a field the schema already refused. */
  const rule = (reads: string[], field: string, value: unknown, allowed: string) => {
    if (!reads.some((f) => bad.has(f))) problems.push({ field, value, allowed });
  };
  const s = parsed.success ? parsed.data : undefined;
  if (!s) throw new ScenarioError(where, problems);
  if (!s.stages && !s.search) {
    const allowed = 'must be a non-empty array like [{ "rate": 10, "duration": "10s" }] (or give a "search" for a capacity search)';
    rule(["stages", "search"], "stages", undefined, allowed);
  }
  if (s.stages && s.search) rule(["stages", "search"], "search", s.search, 'cannot be combined with "stages": a capacity search chooses its own rates');
  const mix = { liquidation: 70, order: 20, cancel: 5, spam: 5, ...s.mix } as Record<TriggerKind, number>;
  if (Object.values(mix).every((w) => w === 0)) rule(["mix"], "mix", s.mix, "needs at least one weight > 0");
  if (s.bridge !== "wormhole") {
    const set = `"cosmos"${s.bridge === "ibc" ? ' and "ibc"' : ""}`;
    if (s.routes) rule(["bridge", "routes"], "routes", s.routes, `is not used with bridge "${s.bridge}": the chains are set in ${set}`);
    if (s.search) rule(["bridge", "search"], "search", s.search, `is not available with bridge "${s.bridge}" yet; use "stages"`);
    if (s.bridge === "ibc" && s.ibc.destinationChainId === s.cosmos.chainId) {
      rule(["bridge", "ibc", "cosmos"], "ibc.destinationChainId", s.ibc.destinationChainId, `must differ from cosmos.chainId ("${s.cosmos.chainId}")`);
    }
  } else if (!s.routes) {
    rule(["bridge", "routes"], "routes", undefined, 'must be a non-empty array like [{ "from": "Ethereum", "to": ["Arbitrum"] }]');
  }
  // The cosmos bridge has one route, CosmJS senders → the localnet; ibc one too, source → destination localnet.
  const routes =
    s.routes ?? (s.bridge === "ibc" ? [{ from: s.cosmos.chainId, to: [s.ibc.destinationChainId] }] : [{ from: COSMOS_SENDERS, to: [s.cosmos.chainId] }]);
  checkFaults(
    catalog,
    s.faults.map((f) => toFaultSpec(f as never)),
    { bridge: s.bridge, routes, guardians: s.guardians, cosmos: s.cosmos, ibc: s.ibc },
    rule,
  );
  const thresholds = s.thresholds.flatMap((text, i) => {
    try {
      return [parseThreshold(text)];
    } catch (err) {
      rule(["thresholds"], `thresholds[${i}]`, text, (err as Error).message);
      return [];
    }
  });
  if (problems.length) throw new ScenarioError(where, problems);
  return {
    name: s.name ?? "unnamed",
    seed: s.seed,
    arrivals: s.arrivals,
    chains: s.chains as Scenario["chains"],
    bridge: s.bridge,
    cosmos: s.cosmos,
    ibc: s.ibc,
    risk: { ...DEFAULT_RISK, ...s.risk },
    routes: routes as Scenario["routes"],
    stages: s.stages ? expandStages(s.stages as never) : [],
    drainS: s.drain,
    mix,
    deadlineMs: { liquidation: 3000, order: 10_000, cancel: 10_000, spam: 60_000, ...s.deadlineMs } as Record<TriggerKind, number>,
    spamPaddingBytes: s.spamPaddingBytes,
    guardians: s.guardians,
    consistency: s.consistency,
    relayer: s.relayer,
    senders: s.senders,
    maxInFlightSends: s.maxInFlightSends,
    thresholds,
    sloP99Ms: s.slo?.p99Ms,
    desyncMs: s.slo?.desyncMs,
    maxLateShare: s.slo?.maxLateShare,
    faults: s.faults.map((f) => toFaultSpec(f as never)),
    search: s.search && {
      from: s.search.from,
      factor: s.search.factor,
      step: s.search.step,
      max: s.search.max,
      durationS: s.search.duration,
      cooldownS: s.search.cooldown,
      refine: s.search.refine,
    },
  };
}

/** Reads a scenario file by name (fixtures/scenarios/<name>.json) or by path, as JSON; src/scenarios.ts parses it. */
export function readScenarioFile(nameOrPath: string): { raw: unknown; file: string } {
  const file = existsSync(nameOrPath) ? nameOrPath : join(SCENARIO_DIR, `${nameOrPath}.json`);
  if (!existsSync(file)) {
    throw new Error(`scenario "${nameOrPath}": no such file, and no fixtures/scenarios/${nameOrPath}.json; shipped: ${SHIPPED_SCENARIOS.join(", ")}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`scenario ${file}: not valid JSON (${(err as Error).message})`);
  }
  return { raw, file };
}
