import { readFileSync, existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";
import type { z } from "zod";
import type { TriggerKind } from "../measure/kinds.ts";
import { parseThreshold, type Threshold } from "../measure/thresholds.ts";
import { DEFAULT_RISK, type RiskSettings } from "../measure/risk.ts";
import { DEFAULT_MEMORY_GUARD, type MemoryGuardSettings } from "../measure/memoryGuard.ts";
import { checkFaults, toFaultSpec, type AnyFaultKind, type FaultProblem, type FaultSpec } from "./faultKinds.ts";
import { engineSchema } from "./scenarioFields.ts";
import type { Arrivals, StageConfig } from "./fields.ts";
import { expandStages } from "./stages/index.ts";
import { BridgeStressError, messageOf } from "../infra/errors.ts";

export { ARRIVALS, type Arrivals, parseDurationS, type StageConfig } from "./fields.ts";

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

/** A route of messages: from a source chain to each destination (names as the bridge gives them). */
export interface Route {
  from: string;
  to: string[];
}

/**
 * A parsed scenario as the engine reads it: the load, the criteria and the faults. The fields of
 * its bridge's section (src/bridges/<bridge>/scenario.ts) are on the same object; each bridge
 * reads them through its own type.
 */
export interface Scenario {
  name: string;
  /** The registered bridge that runs it (src/bridges/index.ts). */
  bridge: string;
  /** The routes messages take: the scenario's own (wormhole) or the ones its bridge makes. */
  routes: Route[];
  /** The market the triggers protect, for the liquidation-risk columns of steps.csv. */
  risk: RiskSettings;
  /** Seeds the message sequence (kinds, routes, positions, and Poisson arrival times). */
  seed: number;
  /** Arrivals of every stage (and capacity-search probe) that does not choose its own. */
  arrivals: Arrivals;
  stages: StageConfig[];
  /** After the last stage, how long in-flight messages may still arrive before they are dropped. */
  drainS: number;
  /** Relative weights of the message kinds. */
  mix: Record<TriggerKind, number>;
  /** Deadline of each kind, ms after the intended send time. */
  deadlineMs: Record<TriggerKind, number>;
  /** Padding bytes carried by spam messages. */
  spamPaddingBytes: number;
  /** Sends waiting for the source node's answer at once; a message due while the cap is full is dropped as not-sent (k6's dropped_iterations). */
  maxInFlightSends: number;
  /** Pass/fail criteria checked at the end (k6 style, e.g. "p99<2000"). */
  thresholds: Threshold[];
  /** When the run stops early, with a partial report, to spare the machine's memory; false: never. [DEFAULT_MEMORY_GUARD] */
  memoryGuard?: MemoryGuardSettings | false;
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

/**
 * What parsing needs of a bridge (src/engine/bridge.ts's BridgeDefinition has it all): its
 * name, its section of the scenario and its fault kinds.
 */
export interface ScenarioBridge {
  /** The scenario's `bridge` value. */
  readonly name: string;
  /** One line on what it runs (the error for an unknown `bridge` lists them). */
  readonly summary: string;
  readonly faults: readonly AnyFaultKind[];
  /** Its fields at the top level of a scenario, beside the engine's; parsed when `bridge` names it. */
  readonly section: z.ZodObject;
  /** A capacity search (`search`) can run on it. */
  readonly search: boolean;
  /** The routes its messages take, from its parsed section. */
  routes(section: Record<string, unknown>): Route[];
  /** Rules across its own fields, reported like every other problem. */
  check?(section: Record<string, unknown>, problem: FaultProblem): void;
  /** Its fields that name a file: a relative one is resolved from the scenario file's folder, and a missing one is reported. */
  readonly files?: Readonly<Record<string, string>>;
}

/** One thing wrong in a scenario: the field, its value, and what is allowed (the fix). */
export interface ScenarioProblem {
  field: string;
  value: unknown;
  allowed: string;
}

const problemLine = (p: ScenarioProblem): string => `field "${p.field}" is ${JSON.stringify(p.value)}; ${p.allowed}`;

/** Everything wrong with a scenario: one problem as `<where>: field …`, several as a count and one line each. */
export class ScenarioError extends BridgeStressError {
  static override readonly code = "scenario-invalid";
  static override readonly docs = "README.md#scenario-files";
  readonly problems: ScenarioProblem[];

  constructor(where: string, field: string, value: unknown, allowed: string);
  constructor(where: string, problems: ScenarioProblem[]);
  constructor(where: string, fieldOrProblems: string | ScenarioProblem[], value?: unknown, allowed?: string) {
    const problems = typeof fieldOrProblems === "string" ? [{ field: fieldOrProblems, value, allowed: allowed! }] : fieldOrProblems;
    const lines = problems.map((p) => `\n  ${problemLine(p)}`).join("");
    super(problems.length === 1 ? `${where}: ${problemLine(problems[0]!)}` : `${where}: ${problems.length} errors:${lines}`);
    this.problems = problems;
  }
}

/** A scenario that cannot be read: no such name or file, or not JSON. */
export class ScenarioFileError extends BridgeStressError {
  static override readonly code = "scenario-not-read";
  static override readonly docs = "README.md#scenario-files";
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
  "lending",
  "guardians-realistic",
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

/**
 * A field's path as errors write it: `stages[0].rate`; a key that is not a plain name (empty,
 * spaces, quotes) in brackets as JSON, `["stages "]`, so the offending key is visible.
 */
export function fieldPath(path: PropertyKey[]): string {
  const key = (p: PropertyKey, i: number) => {
    if (typeof p === "number") return `[${p}]`;
    const name = String(p);
    if (!/^[A-Za-z_$][\w$-]*$/.test(name)) return `[${JSON.stringify(name)}]`;
    return i === 0 ? name : `.${name}`;
  };
  return path.map(key).join("") || "(root)";
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

/** How a bridge's name is offered in the error for an unknown `bridge`. */
const bridgeChoice = (b: ScenarioBridge, i: number) => `"${b.name}" (${b.summary}${i === 0 ? ", the default" : ""})`;

/**
 * Checks every field and reports every problem at once (ScenarioError): each names the field,
 * the value and what is allowed. The engine's fields are parsed with the engine's schema, the
 * rest with the section of the bridge `bridge` names (the first of `bridges` when it is
 * absent); a field of another bridge's section is named as such. The rules across fields are
 * checked too when the schemas find errors, on the fields they found none in (a rule that reads
 * an erroneous field waits until that field is fixed, rather than report on a default in its place).
 */
export function parseScenario(raw: unknown, where: string, bridges: readonly ScenarioBridge[], baseDir = process.cwd()): Scenario {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ScenarioError(where, "(root)", raw, "must be a JSON object");
  const input = raw as Record<string, unknown>;
  const problems: ScenarioProblem[] = [];
  /** Top-level fields with an error: left out of the rules below. */
  const bad = new Set<string>();
  const bridge = bridges.find((b) => b.name === (input.bridge ?? bridges[0]?.name));
  if (!bridge) {
    problems.push({ field: "bridge", value: input.bridge, allowed: `must be ${bridges.map(bridgeChoice).join(", ")}` });
    bad.add("bridge");
  }
  /** Parses with `schema`, reporting its issues; then again without the fields it refused, for the rules. */
  const parse = <T extends z.ZodObject>(schema: T): z.output<T> | undefined => {
    const first = schema.safeParse(input, { reportInput: true });
    if (first.success) return first.data;
    for (const issue of first.error.issues) {
      problems.push(...issueProblems(issue));
      if (issue.path.length) bad.add(String(issue.path[0]));
    }
    // The refused fields are left out (a required one made optional), so the rules still see the others.
    const refused = Object.fromEntries(Object.keys(schema.shape).flatMap((key) => (bad.has(key) ? [[key, true as const]] : [])));
    const rest = Object.fromEntries(Object.entries(input).filter(([key]) => !bad.has(key)));
    const again = schema.partial(refused as Record<string, true> & Record<number, never>).safeParse(rest, { reportInput: true });
    return again.success ? (again.data as z.output<T>) : undefined;
  };
  const engine = engineSchema(bridges);
  const s = parse(engine);
  const section = bridge ? parse(bridge.section) : undefined;
  /** For each field given that is another bridge's, the bridges (quoted) that have it. */
  const foreign: string[][] = [];
  for (const key of Object.keys(input)) {
    if (key === "bridge" || key in engine.shape || (bridge && key in bridge.section.shape)) continue;
    const owners = bridges.filter((b) => key in b.section.shape).map((b) => `"${b.name}"`);
    const own = bridge ? Object.keys(bridge.section.shape) : [];
    const allowed = owners.length
      ? `is not used with bridge "${bridge?.name ?? input.bridge}": it is a field of bridge ${owners.join(" or ")}${own.length ? ` (bridge "${bridge?.name}" takes ${own.join(", ")})` : ""}`
      : "is not a field here; check the spelling (the README lists every field)";
    problems.push({ field: fieldPath([key]), value: input[key], allowed });
    bad.add(key);
    if (owners.length) foreign.push(owners);
  }
  // Fields of another bridge and no `bridge`: the missing field is the likelier mistake; name the bridges that have them all.
  const fits = foreign.reduce((all, owners) => all.filter((b) => owners.includes(b)), foreign[0] ?? []);
  if (input.bridge === undefined && fits.length) {
    const names = fits.join(" or ");
    problems.push({
      field: "bridge",
      value: undefined,
      allowed: `is missing, so bridge "${bridge?.name}" is assumed, but the scenario has fields of bridge ${names}: add "bridge": ${names}`,
    });
  }
  /** Reports a rule's violation unless it reads a field the schemas already refused. */
  const rule = (reads: string[], field: string, value: unknown, allowed: string) => {
    if (!reads.some((f) => bad.has(f))) problems.push({ field, value, allowed });
  };
  if (!s || !bridge || !section) throw new ScenarioError(where, problems);
  if (!s.stages && !s.search) {
    const allowed = 'must be a non-empty array like [{ "rate": 10, "duration": "10s" }] (or give a "search" for a capacity search)';
    rule(["stages", "search"], "stages", undefined, allowed);
  }
  if (s.stages && s.search) rule(["stages", "search"], "search", s.search, 'cannot be combined with "stages": a capacity search chooses its own rates');
  if (s.search && !bridge.search) rule(["bridge", "search"], "search", s.search, `is not available with bridge "${bridge.name}" yet; use "stages"`);
  const mix = { liquidation: 70, order: 20, cancel: 5, spam: 5, ...s.mix } as Record<TriggerKind, number>;
  if (Object.values(mix).every((w) => w === 0)) rule(["mix"], "mix", s.mix, "needs at least one weight > 0");
  bridge.check?.(section, rule);
  for (const [field, what] of Object.entries(bridge.files ?? {})) {
    const value = section[field];
    if (typeof value !== "string") continue;
    const file = resolve(baseDir, value);
    if (existsSync(file)) section[field] = file;
    else rule([field], field, value, `names ${file}, which does not exist; give the path of ${what}, relative to the scenario file's folder (${baseDir})`);
  }
  const routes = bridge.routes(section);
  const faults = s.faults.map((f) => toFaultSpec(f as never));
  checkFaults(bridges, faults, { ...section, bridge: bridge.name, routes }, rule);
  const thresholds = s.thresholds.flatMap((text, i) => {
    try {
      return [parseThreshold(text)];
    } catch (err) {
      rule(["thresholds"], `thresholds[${i}]`, text, messageOf(err));
      return [];
    }
  });
  if (problems.length) throw new ScenarioError(where, problems);
  return {
    name: s.name ?? "unnamed",
    seed: s.seed,
    arrivals: s.arrivals,
    bridge: bridge.name,
    ...section,
    risk: { ...DEFAULT_RISK, ...s.risk },
    routes,
    stages: s.stages ? expandStages(s.stages as never) : [],
    drainS: s.drain,
    mix,
    deadlineMs: { liquidation: 3000, order: 10_000, cancel: 10_000, spam: 60_000, ...s.deadlineMs } as Record<TriggerKind, number>,
    spamPaddingBytes: s.spamPaddingBytes,
    maxInFlightSends: s.maxInFlightSends,
    memoryGuard:
      s.memoryGuard === false
        ? false
        : {
            minAvailableShare: s.memoryGuard?.minAvailable ?? DEFAULT_MEMORY_GUARD.minAvailableShare,
            maxProcessShare: s.memoryGuard?.maxProcess ?? DEFAULT_MEMORY_GUARD.maxProcessShare,
          },
    thresholds,
    sloP99Ms: s.slo?.p99Ms,
    desyncMs: s.slo?.desyncMs,
    maxLateShare: s.slo?.maxLateShare,
    faults,
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
    throw new ScenarioFileError(
      `scenario "${nameOrPath}": no such file, and no fixtures/scenarios/${nameOrPath}.json; shipped: ${SHIPPED_SCENARIOS.join(", ")}`,
    );
  }
  if (statSync(file).isDirectory()) {
    throw new ScenarioFileError(`scenario ${nameOrPath}: a folder, not a scenario file; give a scenario's name or the path of its JSON file`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ScenarioFileError(`scenario ${file}: not valid JSON (${(err as Error).message})`);
  }
  return { raw, file };
}
