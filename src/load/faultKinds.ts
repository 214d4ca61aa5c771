import { z } from "zod";

/**
 * A fault on the run's timeline: `kind` names its FaultKind, `atS` is when it starts (s after
 * the run clock starts), `forS` how long until it heals; the rest are the kind's own fields.
 */
export type FaultSpec<Fields = Record<string, unknown>> = { kind: string; atS: number; forS: number } & Fields;

/**
 * The parsed scenario as a fault kind's check reads it: the bridge, its routes (the scenario's
 * own, or the ones the bridge makes), and the fields of the bridge's section, which the kind
 * (a file of that bridge) reads through the bridge's own type.
 */
export interface FaultCheckScenario {
  bridge: string;
  routes: Array<{ from: string; to: string[] }>;
  readonly [sectionField: string]: unknown;
}

/**
 * Reports one problem with a fault: `reads` are the top-level scenario fields the rule reads
 * (a rule that reads a field the schema already refused is not reported).
 */
export type FaultProblem = (reads: string[], field: string, value: unknown, allowed: string) => void;

/** The zod pieces a kind's fields are built from, so every kind parses durations and counts alike. */
export interface FaultFieldParts {
  duration: z.ZodType<number>;
  /** A count of guardians or validators, 1…19. */
  count: z.ZodType<number>;
  /** A fault's target: a chain, a localnet or a link by name (the kind's check says which). */
  target: z.ZodType<string>;
  /** A number of ms ≥ 0. */
  ms: () => z.ZodNumber;
}

/**
 * One fault kind, in one file of the bridge that has what it acts on, listed in that bridge's
 * `faults` (src/bridges/<bridge>/faults/index.ts). The scenario schema, validation, labels and
 * the fault timeline (src/engine/faultRunner.ts) all come from this: adding a kind is its file
 * plus one line in the bridge's list.
 */
export interface FaultKind<Shape extends z.ZodRawShape = z.ZodRawShape, Targets = never> {
  /** The `kind` value in a scenario. */
  readonly kind: string;
  /** What it models, in one sentence (README table, error messages). */
  readonly models: string;
  /** It happens at one moment and has nothing to heal (`for` is accepted, defaults to 0 and has no effect). */
  readonly momentary?: boolean;
  /** Its fields beyond kind, at and for. */
  fields(parts: FaultFieldParts): Shape;
  /** Rules across scenario fields (a target that must exist, a count within a set's size). */
  check?(fault: FaultSpec<z.output<z.ZodObject<Shape>>>, field: string, scenario: FaultCheckScenario, problem: FaultProblem): void;
  /**
   * Applies (`on`) or heals the fault on the bridge's live parts; resolves with a detail for
   * events.csv, or nothing. `random` is the run's seeded generator (jitter draws).
   */
  set(fault: FaultSpec<z.output<z.ZodObject<Shape>>>, on: boolean, targets: Targets, random: () => number): Promise<string | undefined>;
}

/** Declares a fault kind with its fields' types inferred for `check` and `set`. */
export function defineFault<Shape extends z.ZodRawShape, Targets>(kind: FaultKind<Shape, Targets>): FaultKind<Shape, Targets> {
  return kind;
}

/** Any fault kind, whatever its fields and targets (a registry holds several). */
// biome-ignore lint/suspicious/noExplicitAny: kinds of different bridges take different targets; each bridge passes its own
export type AnyFaultKind = FaultKind<z.ZodRawShape, any>;

/** The faults of each bridge, by the scenario's `bridge` value, in the order the README lists them. */
export type FaultCatalog = ReadonlyArray<{ name: string; faults: readonly AnyFaultKind[] }>;

/** Every kind of every bridge once, in catalog order. */
export function allFaultKinds(catalog: FaultCatalog): AnyFaultKind[] {
  return [...new Set(catalog.flatMap((b) => b.faults))];
}

/** zod schema of one fault of any kind in the catalog; `at` and `for` parse "10s"-style durations into seconds. */
export function faultSchema(catalog: FaultCatalog, parts: FaultFieldParts) {
  const kinds = allFaultKinds(catalog);
  const options = kinds.map((k) =>
    z.strictObject({
      kind: z.literal(k.kind),
      at: parts.duration,
      for: k.momentary ? parts.duration.optional().default(0) : parts.duration,
      ...k.fields(parts),
    }),
  );
  return z.discriminatedUnion("kind", options as unknown as [z.ZodObject, ...z.ZodObject[]], {
    error: `must be one of ${kinds.map((k) => k.kind).join(", ")}`,
  });
}

/** A parsed fault (`at`, `for`) as the timeline takes it (`atS`, `forS`). */
export function toFaultSpec(raw: { kind: string; at: number; for: number } & Record<string, unknown>): FaultSpec {
  const { at, for: forS, ...rest } = raw;
  return { ...rest, atS: at, forS } as FaultSpec;
}

/**
 * Checks each fault against the scenario: its kind must be one of the scenario's bridge, then
 * the kind's own rules.
 */
export function checkFaults(catalog: FaultCatalog, faults: FaultSpec[], scenario: FaultCheckScenario, problem: FaultProblem): void {
  const own = catalog.find((b) => b.name === scenario.bridge)?.faults ?? [];
  faults.forEach((fault, i) => {
    const kind = own.find((k) => k.kind === fault.kind);
    if (!kind) {
      const owners = catalog.filter((b) => b.faults.some((k) => k.kind === fault.kind)).map((b) => `"${b.name}"`);
      const has = own.length ? `; bridge "${scenario.bridge}" has ${own.map((k) => k.kind).join(", ")}` : "";
      problem(
        ["bridge", "faults"],
        `faults[${i}].kind`,
        fault.kind,
        `is not available with bridge "${scenario.bridge}": it needs bridge ${owners.join(" or ")}${has}`,
      );
      return;
    }
    kind.check?.(fault as never, `faults[${i}]`, scenario, problem);
  });
}
