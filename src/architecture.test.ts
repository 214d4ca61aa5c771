import test from "ava";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// The layering of ARCHITECTURE.md, checked on the source: every non-test .ts/.mjs file under
// src/ and chains/, every relative import of it (type-only imports and `export … from`
// included, as they are dependencies too), plus the modules it starts as a worker thread or
// child process (`new URL("./x.ts", import.meta.url)`).

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Relative module specifiers a source text depends on, in order of appearance. */
function importsOf(source: string): string[] {
  const found: Array<[number, string]> = [];
  // import … from "x", import type … from "x", export … from "x", import "x" (a line's first word;
  // the bindings may span lines, a `from` inside a comment or string elsewhere is not matched).
  for (const m of source.matchAll(/^[ \t]*(?:import|export)\s(?:[^;"'`]*?\sfrom\s*)?["'](\.{1,2}\/[^"']+)["']/gm)) found.push([m.index, m[1]!]);
  // import("x"), and a worker or child entry: new URL("./x.ts", import.meta.url).
  for (const m of source.matchAll(/(?:\bimport\(\s*|\bnew URL\(\s*)["'](\.{1,2}\/[^"']+\.(?:ts|mjs|js))["']/g)) found.push([m.index, m[1]!]);
  return found.sort(([a], [b]) => a - b).map(([, spec]) => spec);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs)$/.test(entry.name) && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** Every source file of src/ and chains/ with the project files it imports (paths from the repository root). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of [...sourceFiles("src"), ...sourceFiles("chains")]) {
    const targets = importsOf(readFileSync(join(ROOT, file), "utf8")).map((spec) => relative(ROOT, resolve(ROOT, dirname(file), spec)));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** One cycle through each strongly connected component of more than one file (or a file importing itself). */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component = new Set<string>();
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.add(member);
    } while (member !== node);
    if (component.size > 1 || graph.get(node)!.includes(node)) found.push(cycleIn(graph, component, node));
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

/** A shortest cycle from `start` back to itself inside one strongly connected component (breadth first). */
function cycleIn(graph: Map<string, string[]>, component: Set<string>, start: string): string[] {
  const parent = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const node = queue.shift()!;
    for (const next of graph.get(node)!) {
      if (next === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(parent.get(path[0]!)!);
        return [...path, start];
      }
      if (component.has(next) && !parent.has(next)) {
        parent.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start];
}

const under = (folders: string[]) => (file: string) => folders.some((f) => (f.endsWith(".ts") ? file === f : file.startsWith(`${f}/`)));

/** Every import from a file `from` matches to a file `to` matches. */
function edges(graph: Map<string, string[]>, from: (file: string) => boolean, to: (file: string) => boolean): string[] {
  return [...graph].flatMap(([file, targets]) => (from(file) ? targets.filter(to).map((target) => `${file} → ${target}`) : []));
}

const INFRA = under(["src/infra"]);
const CHAINS = under(["chains"]);
const ENGINE = under(["src/engine", "src/load", "src/measure", "src/report"]);
/** The bridges' code, which the engine must not import. */
const BRIDGE = under(["src/bridges"]);
/** What puts the engine and the bridges together: the CLI, the run and compare entry points, the bridge registry, the package entry. */
const TOP = under(["src/cli.ts", "src/cliFlags.ts", "src/cliArgs.ts", "src/cliRun.ts", "src/run.ts", "src/compare.ts", "src/bridges/index.ts", "src/index.ts"]);
/** The folder of the bridge a file belongs to (src/bridges/<name>), or undefined. */
const bridgeFolder = (file: string) => /^src\/bridges\/([^/]+)\//.exec(file)?.[1];
/** The Cosmos localnet parts both Cosmos bridges (cosmos-tx, ibc) run on. */
const SHARED_BRIDGE_FOLDERS = new Set(["localnets"]);

const graph = importGraph();

test("the import scanner sees type-only imports, re-exports, multi-line bindings, side effects and workers, not comments", (t) => {
  const source = [
    `import { a } from "./a.ts";`,
    `import type { B } from "../b.ts";`,
    `import {`,
    `  c,`,
    `  type D,`,
    `} from "./c.ts";`,
    `export { e } from "./e.ts";`,
    `export type { F } from "./f.ts";`,
    `export * from "./g.ts";`,
    `import "./h.ts";`,
    `import { z } from "zod";`,
    `// import { x } from "./commented.ts";`,
    ` * import { y } from "./doc.ts";`,
    `const worker = new Worker(new URL("./w.mjs", import.meta.url));`,
    `const dir = new URL("../fixtures/", import.meta.url);`,
    `const m = await import("./lazy.ts");`,
  ].join("\n");
  t.deepEqual(importsOf(source), ["./a.ts", "../b.ts", "./c.ts", "./e.ts", "./f.ts", "./g.ts", "./h.ts", "./w.mjs", "./lazy.ts"]);
});

test("every import the scanner found names a file that exists", (t) => {
  t.true(graph.size > 50, `${graph.size} source files found`);
  t.deepEqual(
    edges(
      graph,
      () => true,
      (target) => !existsSync(join(ROOT, target)),
    ),
    [],
  );
});

test("the import graph of src/ and chains/ has no cycle (type-only imports included)", (t) => {
  t.deepEqual(
    cycles(graph).map((cycle) => cycle.join(" → ")),
    [],
  );
});

test("src/infra imports nothing of the project outside src/infra", (t) => {
  t.true([...graph.keys()].some(INFRA), "src/infra has files");
  t.deepEqual(
    edges(graph, INFRA, (target) => !INFRA(target)),
    [],
  );
});

test("chains/ imports only chains/ and src/infra", (t) => {
  t.deepEqual(
    edges(graph, CHAINS, (target) => !CHAINS(target) && !INFRA(target)),
    [],
  );
});

test("the engine (src/engine, src/load, src/measure, src/report) imports no bridge code", (t) => {
  t.true([...graph.keys()].some(ENGINE) && [...graph.keys()].some(BRIDGE), "engine and bridge files found");
  t.deepEqual(edges(graph, ENGINE, BRIDGE), []);
});

test("src/load and src/measure import nothing from src/report (the report is written from what they measure)", (t) => {
  t.deepEqual(edges(graph, under(["src/load", "src/measure"]), under(["src/report"])), []);
});

test("the engine and the bridges import nothing from the CLI, the run and compare entry points or the bridge registry", (t) => {
  t.true(
    [...graph.keys()].some((file) => bridgeFolder(file) !== undefined),
    "src/bridges has folders",
  );
  t.deepEqual(
    edges(graph, (file) => ENGINE(file) || (BRIDGE(file) && !TOP(file)), TOP),
    [],
  );
});

test("a bridge's folder imports no other bridge's folder (only the shared Cosmos localnet parts)", (t) => {
  t.deepEqual(
    edges(
      graph,
      (file) => bridgeFolder(file) !== undefined && !TOP(file),
      (target) => {
        const folder = bridgeFolder(target);
        return folder !== undefined && !SHARED_BRIDGE_FOLDERS.has(folder);
      },
    ).filter((edge) => {
      const [from, to] = edge.split(" → ") as [string, string];
      return bridgeFolder(from) !== bridgeFolder(to);
    }),
    [],
  );
});

test("src/measure imports nothing from src/load (within the engine, what is measured sits below the load that offers it)", (t) => {
  t.deepEqual(edges(graph, under(["src/measure"]), under(["src/load"])), []);
});

test("the engine reads no chain itself: src/load, src/measure and src/report import neither src/infra's JSON-RPC nor its HTTP client", (t) => {
  // Reads of a chain (blocks, logs, receipts) are chain-level code: they live in chains/ and reach the engine as events.
  t.deepEqual(edges(graph, ENGINE, under(["src/infra/rpc.ts", "src/infra/http.ts"])), []);
});

test("no non-test source file of src/ or chains/ is over 350 lines (split it by what its parts do)", (t) => {
  const long = [...graph.keys()]
    .map((file) => [file, readFileSync(join(ROOT, file), "utf8").split("\n").length] as const)
    .filter(([, lines]) => lines > 351)
    .map(([file, lines]) => `${file}: ${lines} lines`);
  t.deepEqual(long, []);
});

test("the CLI checks its flags before it loads the engine: src/cli.ts's static imports reach no bridge, engine run, scenario loader, viem or Wormhole SDK", (t) => {
  // Static imports that load a module: not import() (how src/cli.ts loads the rest once the flags
  // are usable), not `import type` (erased).
  const staticImports = (file: string) =>
    [...readFileSync(join(ROOT, file), "utf8").matchAll(/^[ \t]*(?:import|export)\s(?!type\s)(?:[^;"'`]*?\sfrom\s*)?["']([^"']+)["']/gm)].map((m) => m[1]!);
  const reached = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (reached.has(file)) return;
    reached.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith(".")) visit(relative(ROOT, resolve(ROOT, dirname(file), spec)));
      else if (!spec.startsWith("node:")) packages.add(spec);
    }
  };
  visit("src/cli.ts");
  t.true(reached.has("src/cliFlags.ts"), [...reached].join(", "));
  const heavy = [...reached].filter((file) => /^src\/(bridges|engine)\/|^src\/(scenarios|run|compare|cliArgs|cliRun)\.ts$|^chains\//.test(file));
  t.deepEqual(heavy, []);
  t.deepEqual([...packages], [], "packages imported before the flags are checked");
});
