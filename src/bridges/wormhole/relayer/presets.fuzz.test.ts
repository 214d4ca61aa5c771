import test from "ava";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { RelayerPresetError } from "../../../engine/bridge.ts";
import { fieldPath } from "../../../load/scenario.ts";
import { parseCommandRelayer } from "./commandRelayer.ts";
import { relayerPresetNames, validateRelayerConfig } from "./config.ts";
import { chooseRelayer } from "./kinds/index.ts";

// Properties: any relayer preset object (a shipped preset with fields replaced, removed or
// added, or any JSON object), any outside-relayer description and any scenario `relayer` value
// is taken or refused with a RelayerPresetError naming the field (or the value); never a
// TypeError or a stack trace. Seeded, so a failure replays.
const RUNS = { numRuns: 400, seed: 18 };
const read = (file: string) => JSON.parse(readFileSync(new URL(`../../../../fixtures/relayers/${file}`, import.meta.url), "utf8")) as Record<string, unknown>;
const PRESETS = relayerPresetNames().map((name) => ({ name, raw: read(`${name}.json`) }));
const OUTSIDE = read("outside/batching.json");

/** JSON values, hostile ones among them; through JSON so "__proto__" is an own key as in a parsed file. */
const anyJson = fc
  .oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(-1, 0, 1e308, 2 ** 53 + 1, 0.5, "", "1", "poll", "eip1559", "__proto__", [], {}, null, true, ["node"], [""], { A: 1 }),
  )
  .map((v) => JSON.parse(JSON.stringify(v ?? null)) as unknown);
const hostileKey = fc.oneof(fc.constantFrom("__proto__", "constructor", "toString", "", "name", "description"), fc.string({ maxLength: 8 }));
const asJson = (o: unknown) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>;

/** A shipped object with up to three of its fields replaced, removed, or hostile fields added. */
function mutated(base: Record<string, unknown>) {
  const keys = Object.keys(base);
  const edit = fc.oneof(
    fc.tuple(fc.constantFrom(...keys), anyJson).map(([key, value]) => ({ key, value, remove: false })),
    fc.constantFrom(...keys).map((key) => ({ key, value: undefined, remove: true })),
    fc.tuple(hostileKey, anyJson).map(([key, value]) => ({ key, value, remove: false })),
  );
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
    const out = structuredClone(base);
    for (const { key, value, remove } of edits) {
      if (remove) delete out[key];
      else Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
    }
    return { object: asJson(out), keys: edits.map((e) => e.key) };
  });
}

/** A thrown value that is the project's error and names one of `keys` as a field. */
function namesField(err: unknown, keys: string[], context: string): void {
  if (!(err instanceof RelayerPresetError)) throw new Error(`${context}: ${(err as Error)?.stack ?? String(err)}`);
  // The field itself, or a field inside it (`command[0]`).
  const named = (k: string) => [k, fieldPath([k])].some((f) => ['"', "[", "."].some((next) => err.message.includes(`field "${f}${next}`)));
  if (!keys.some(named)) {
    throw new Error(`${context}: none of ${JSON.stringify(keys)} named: ${err.message}`);
  }
}

test("any mutation of a shipped relayer preset is taken or refused naming a mutated field", (t) => {
  const arbitrary = fc.constantFrom(...PRESETS).chain(({ name, raw }) => mutated(raw).map((m) => ({ name, ...m })));
  fc.assert(
    fc.property(arbitrary, ({ name, object, keys }) => {
      try {
        const config = validateRelayerConfig({ name, ...object }, `relayer preset "${name}"`);
        for (const key of ["pollIntervalMs", "concurrency", "batchSize", "wallets", "maxAttempts"] as const) {
          if (!Number.isFinite(config[key])) throw new Error(`${key} taken as ${config[key]}`);
        }
      } catch (err) {
        namesField(err, keys, `preset ${name} with ${JSON.stringify(object)}`);
      }
    }),
    RUNS,
  );
  t.pass();
});

test("any outside-relayer description is taken or refused naming a field", (t) => {
  const arbitrary = fc.oneof(
    mutated(OUTSIDE),
    fc
      .dictionary(fc.oneof(fc.constantFrom(...Object.keys(OUTSIDE)), hostileKey), anyJson, { maxKeys: 5 })
      .map((o) => ({ object: asJson(o), keys: Object.keys(asJson(o)) })),
  );
  fc.assert(
    fc.property(arbitrary, ({ object, keys }) => {
      try {
        const config = parseCommandRelayer(object, "outside/fuzz");
        if (!Array.isArray(config.command) || !config.command.length) throw new Error("taken without a command");
      } catch (err) {
        // A required field the object lacks is named too.
        namesField(err, [...keys, "command"], `description ${JSON.stringify(object)}`);
      }
    }),
    RUNS,
  );
  t.pass();
});

test("any scenario relayer value picks a kind or is refused naming the value", (t) => {
  const value = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.constantFrom(...relayerPresetNames()).map((n) => `../relayers/${n}`),
    fc.constantFrom(
      "outside/",
      "outside/../default",
      "outside/../../scenarios/default",
      "../scenarios/default",
      "__proto__",
      "constructor",
      "outside/__proto__",
    ),
  );
  fc.assert(
    fc.property(value, (v) => {
      try {
        chooseRelayer(v);
      } catch (err) {
        if (!(err instanceof RelayerPresetError)) throw new Error(`${JSON.stringify(v)}: ${(err as Error)?.stack ?? String(err)}`);
        if (!err.message.startsWith(`relayer "${v}": no `)) throw new Error(`${JSON.stringify(v)}: ${err.message}`);
      }
    }),
    RUNS,
  );
  t.pass();
});

test("regression: an outside-relayer description names an unknown field and a non-object, not an empty field", (t) => {
  t.throws(() => parseCommandRelayer({ ...OUTSIDE, comand: ["x"] }, "outside/x"), {
    message: /^relayer "outside\/x": field "comand" is not a field here; allowed: description, command, env, wallets, readyLine/,
  });
  t.throws(() => parseCommandRelayer([], "outside/x"), { message: /^relayer "outside\/x": the description \(root\): / });
  t.throws(() => parseCommandRelayer({ command: [] }, "outside/x"), { message: /^relayer "outside\/x": field "command": must be a non-empty array/ });
});

test("regression: a relayer value with a path in it reads no file outside the presets' folders", (t) => {
  t.throws(() => chooseRelayer("outside/../default"), { message: /^relayer "outside\/\.\.\/default": no such outside relayer; use one of outside\/batching/ });
  t.throws(() => chooseRelayer("../scenarios/default"), { message: /^relayer "\.\.\/scenarios\/default": no relayer kind takes it/ });
});
