import test from "ava";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { allFaultKinds, type FaultFieldParts } from "../load/faultKinds.ts";
import { engineSchema } from "../load/scenarioFields.ts";
import { BRIDGES } from "./index.ts";

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const kinds = allFaultKinds(Object.values(BRIDGES));
const parts: FaultFieldParts = { duration: z.number(), count: z.number(), target: z.string(), ms: () => z.number() };

/** README's fault table ("| kind | parameters | what it models |"): kind → the parameter names its second column gives. */
function faultTable(): Map<string, string[]> {
  const lines = README.split("\n");
  const header = lines.indexOf("| kind | parameters | what it models |");
  const table = new Map<string, string[]>();
  for (const row of lines.slice(header + 2)) {
    if (!row.startsWith("|")) break;
    const [, kind, params] = /^\| `([a-z-]+)` \| ([^|]*) \|/.exec(row) ?? [];
    table.set(
      kind ?? row,
      [...(params ?? "").matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]!),
    );
  }
  return table;
}

test("every bridge is registered under the scenario value it answers to", (t) => {
  for (const [name, bridge] of Object.entries(BRIDGES)) t.is(bridge.name as string, name);
});

test("no two fault kinds share a name (a kind shared by bridges is one definition)", (t) => {
  const names = kinds.map((k) => k.kind);
  t.deepEqual(names, [...new Set(names)]);
});

test("README's fault table has a row for every registered fault kind, naming each of its fields, and no other", (t) => {
  const table = faultTable();
  t.deepEqual([...table.keys()].sort(), kinds.map((k) => k.kind).sort());
  for (const kind of kinds) {
    t.deepEqual((table.get(kind.kind) ?? []).sort(), Object.keys(kind.fields(parts)).sort(), `parameters of ${kind.kind}`);
  }
});

test("ARCHITECTURE.md's worked fault-kind example is the file it shows, and that kind is registered", (t) => {
  const architecture = readFileSync(new URL("../../ARCHITECTURE.md", import.meta.url), "utf8");
  const section = architecture.split("## Adding a fault kind (worked example)")[1] ?? "";
  const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  const file = readFileSync(new URL("./wormhole/faults/guardiansOffline.ts", import.meta.url), "utf8");
  t.is(example, file);
  t.true(BRIDGES.wormhole!.faults.some((k) => k.kind === "guardians-offline"));
});

test("README's scenario table has a row for every top-level scenario field (the engine's and every bridge's section), and no other", (t) => {
  const lines = README.split("\n");
  const start = lines.indexOf("| field | meaning | default |");
  const documented = new Set<string>();
  for (const row of lines.slice(start + 2)) {
    if (!row.startsWith("|")) break;
    for (const m of (row.split(" | ")[0] ?? "").matchAll(/`([A-Za-z]+)`/g)) documented.add(m[1]!);
  }
  const fields = new Set(["bridge", ...Object.keys(engineSchema(Object.values(BRIDGES)).shape)]);
  for (const bridge of Object.values(BRIDGES)) for (const key of Object.keys(bridge.section.shape)) fields.add(key);
  t.deepEqual([...documented].sort(), [...fields].sort());
});
