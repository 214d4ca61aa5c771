import test from "ava";
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fieldPath, ScenarioError } from "./load/scenario.ts";
import { validateScenario } from "./scenarios.ts";

// Property: any mutation of a shipped scenario (a value replaced by any JSON value, a field
// removed, a hostile field added, at any depth) either parses or is refused with a ScenarioError
// whose problems each name their field, one of them the mutated field, a field inside it or the
// object holding it; never a TypeError or a stack trace. Seeded, so a failure replays.
const RUNS = { numRuns: 400, seed: 18 };
const DIR = fileURLToPath(new URL("../fixtures/scenarios/", import.meta.url));
const SHIPPED = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .map((f) => ({ file: f, raw: JSON.parse(readFileSync(`${DIR}${f}`, "utf8")) as unknown }));

type Path = Array<string | number>;

/** Every path to a value inside `value` (objects' keys and arrays' indices), the root left out. */
function paths(value: unknown, prefix: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...paths(v, [...prefix, i])]);
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
  return [];
}

/** JSON values, hostile ones among them; through JSON so "__proto__" is an own key as in a parsed file. */
const anyJson = fc
  .oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom(-1, 0, 1e308, -1e308, 2 ** 53 + 1, 0.5, "", "0s", "-5s", "1e400s", "NaN", "__proto__", "constructor", [], {}, null, true),
    fc.constantFrom('{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{}}}', '[{"rate":-1}]').map((s) => JSON.parse(s) as unknown),
  )
  .map((v) => JSON.parse(JSON.stringify(v ?? null)) as unknown);
const hostileKey = fc.oneof(fc.constantFrom("__proto__", "constructor", "prototype", "toString", "", " ", "stages ", "0"), fc.string({ maxLength: 8 }));

type Mutation = { kind: "replace"; value: unknown } | { kind: "remove" } | { kind: "add"; key: string; value: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  anyJson.map((value) => ({ kind: "replace" as const, value })),
  fc.constant({ kind: "remove" as const }),
  fc.tuple(hostileKey, anyJson).map(([key, value]) => ({ kind: "add" as const, key, value })),
);

/** The shipped scenario with `m` applied at `path` (a deep copy); the path a problem must be about. */
function mutate(raw: unknown, path: Path, m: Mutation): { scenario: unknown; about: Path } {
  const scenario = structuredClone(raw) as Record<string | number, unknown>;
  const parent = path.slice(0, -1).reduce<Record<string | number, unknown>>((o, k) => o[k] as Record<string | number, unknown>, scenario);
  const last = path.at(-1)!;
  if (m.kind === "replace") parent[last] = m.value;
  else if (m.kind === "remove") {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    const target = parent[last];
    if (!target || typeof target !== "object" || Array.isArray(target)) return { scenario, about: path };
    Object.defineProperty(target, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
    return { scenario, about: [...path, m.key] };
  }
  return { scenario, about: path };
}

/**
 * A problem's field is about the mutation: the mutated field, a field inside it, an object or
 * array holding it, or a field beside it (a removed stage `type` makes the stage's other fields wrong).
 */
function related(problem: { field: string; allowed: string }, about: Path): boolean {
  const { field, allowed } = problem;
  const near = [fieldPath(about), fieldPath(about.slice(0, -1))].filter((f) => f !== "(root)");
  // A rule between two fields is reported on one, naming the other (`"stages" … or give a "search"`).
  const namedInRule = typeof about.at(-1) === "string" && allowed.includes(`"${about.at(-1)}"`);
  return field === "(root)" || namedInRule || near.some((f) => field.startsWith(f) || f.startsWith(field));
}

function check(file: string, scenario: unknown, aboutPath: Path): void {
  const about = fieldPath(aboutPath);
  try {
    validateScenario(scenario, file, DIR);
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw new Error(`${file} at ${about}: ${(err as Error)?.stack ?? String(err)}`);
    for (const p of err.problems) {
      if (typeof p.field !== "string" || !p.field) throw new Error(`${file} at ${about}: a problem without a field: ${err.message}`);
      if (!err.message.includes(`field "${p.field}"`)) throw new Error(`${file} at ${about}: ${p.field} not in the message`);
    }
    if (!err.problems.some((p) => related(p, aboutPath))) throw new Error(`${file} at ${about}: no problem names it: ${err.message}`);
  }
}

test("any mutation of a shipped scenario parses or is refused naming the field", (t) => {
  const arbitrary = fc
    .constantFrom(...SHIPPED)
    .chain(({ file, raw }) => fc.tuple(fc.constant(file), fc.constant(raw), fc.constantFrom(...paths(raw)), mutation));
  fc.assert(
    fc.property(arbitrary, ([file, raw, path, m]) => {
      const { scenario, about } = mutate(raw, path, m);
      check(file, scenario, about);
    }),
    RUNS,
  );
  t.pass();
});

test("any JSON object with the scenario's top-level fields parses or is refused naming a field", (t) => {
  const keys = [...new Set(SHIPPED.flatMap(({ raw }) => Object.keys(raw as object)))];
  const object = fc.dictionary(fc.oneof(fc.constantFrom(...keys), hostileKey), anyJson, { maxKeys: 8 }).map((o) => JSON.parse(JSON.stringify(o)) as unknown);
  fc.assert(
    fc.property(fc.oneof(object, anyJson), (scenario) => {
      try {
        validateScenario(scenario, "fuzz.json", DIR);
      } catch (err) {
        if (!(err instanceof ScenarioError)) throw new Error(`${JSON.stringify(scenario)}: ${(err as Error)?.stack ?? String(err)}`);
        if (!err.problems.every((p) => typeof p.field === "string" && p.field && err.message.includes(`field "${p.field}"`))) {
          throw new Error(`a problem without its field in the message: ${err.message}`);
        }
      }
    }),
    RUNS,
  );
  t.pass();
});

test("regression: a key that is not a plain name is shown quoted, so the field is named", (t) => {
  const base = SHIPPED.find((s) => s.file === "smoke.json")!.raw as Record<string, unknown>;
  for (const [key, field] of [
    ["", '[""]'],
    ["stages ", '["stages "]'],
    ['a"b', '["a\\"b"]'],
  ] as const) {
    const error = t.throws(() => validateScenario(JSON.parse(JSON.stringify({ ...base, [key]: 1 })), "x.json", DIR), { instanceOf: ScenarioError })!;
    t.true(error.message.includes(`field "${field}" is 1; is not a field here`), error.message);
  }
});

test('regression: a scenario without "bridge" whose fields are another bridge\'s names the missing bridge', (t) => {
  for (const [file, names] of [
    ["cosmos.json", '"cosmos" or "ibc"'],
    ["ibc.json", '"ibc"'],
  ]) {
    const { bridge: _, ...raw } = SHIPPED.find((s) => s.file === file)!.raw as Record<string, unknown>;
    const error = t.throws(() => validateScenario(raw, "x.json", DIR), { instanceOf: ScenarioError })!;
    const expected = `field "bridge" is undefined; is missing, so bridge "wormhole" is assumed, but the scenario has fields of bridge ${names}: add "bridge": ${names}`;
    t.true(error.message.includes(expected), error.message);
  }
});
