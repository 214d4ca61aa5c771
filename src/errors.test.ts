import test from "ava";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BridgeStressError, docsLine, messageOf } from "./infra/errors.ts";

// Every error class in src/ and chains/ extends BridgeStressError and declares its own code and
// README anchor; the anchors are headings of README.md, the codes are unique and listed in README's
// "Errors" table, and that table lists no other.

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const README = readFileSync(join(ROOT, "README.md"), "utf8");

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** GitHub's anchor of a heading: lower case, punctuation dropped (not `-` or `_`), spaces as `-`; a repeated one gets `-1`, `-2`, …. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6} (.+)$/.exec(line);
    if (!heading) continue;
    const slug = heading[1]!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n ? `${slug}-${n}` : slug);
  }
  return anchors;
}

/** Every class of the tree that is an Error, by name: its file and the class it extends. */
function errorClasses(): Map<string, { file: string; parent: string }> {
  const classes = new Map<string, { file: string; parent: string }>();
  for (const file of [...sourceFiles("src"), ...sourceFiles("chains")]) {
    for (const [, name, parent] of readFileSync(join(ROOT, file), "utf8").matchAll(/\bclass (\w+)(?:<[^>]*>)? extends (\w+)/g)) {
      classes.set(name!, { file, parent: parent! });
    }
  }
  const isError = (name: string, depth = 0): boolean =>
    /^(Error|RangeError|TypeError)$/.test(name) || (depth < 10 && classes.has(name) && isError(classes.get(name)!.parent, depth + 1));
  return new Map([...classes].filter(([name]) => isError(name)));
}

const classes = errorClasses();

test("GitHub's heading anchors are computed as GitHub does", (t) => {
  const anchors = headingAnchors("# bridge-stress\n## What `npm run stress` does\n```sh\n# not a heading\n```\n### messages.csv\n## Faults\n### Faults\n");
  t.deepEqual([...anchors], ["bridge-stress", "what-npm-run-stress-does", "messagescsv", "faults", "faults-1"]);
});

test("every error class extends BridgeStressError; only BridgeStressError extends Error itself", (t) => {
  t.true(classes.size >= 10, `${classes.size} error classes found`);
  const direct = [...classes].filter(([, c]) => /^(Error|RangeError|TypeError)$/.test(c.parent)).map(([name, c]) => `${c.file}: ${name} extends ${c.parent}`);
  t.deepEqual(direct, ["src/infra/errors.ts: BridgeStressError extends Error"]);
});

test("every error class declares its own code and a README anchor that is a heading of README.md; codes are unique and listed in README", async (t) => {
  const anchors = headingAnchors(README);
  const codes = new Map<string, string>();
  for (const [name, { file }] of classes) {
    if (name === "BridgeStressError") continue;
    const module = (await import(pathToFileURL(join(ROOT, file)).href)) as Record<string, unknown>;
    const cls = module[name] as typeof BridgeStressError | undefined;
    if (!cls) {
      t.fail(`${file}: ${name} is not exported; export it so its code and anchor can be checked`);
      continue;
    }
    t.true(Object.hasOwn(cls, "code") && Object.hasOwn(cls, "docs"), `${name} declares no static code and docs of its own`);
    t.regex(cls.code, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, `${name}: code "${cls.code}" is not kebab-case`);
    const anchor = /^README\.md#(.+)$/.exec(cls.docs)?.[1];
    t.true(anchor !== undefined && anchors.has(anchor), `${name}: docs "${cls.docs}" is no heading of README.md`);
    t.false(codes.has(cls.code), `${name} and ${codes.get(cls.code)} share code "${cls.code}"`);
    codes.set(cls.code, name);
  }
  const listed = /<!-- error-codes -->([\s\S]*?)<!-- \/error-codes -->/.exec(README)?.[1] ?? "";
  const documented = [...listed.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);
  t.deepEqual(documented.toSorted(), [...codes.keys()].toSorted(), "README's Errors table lists exactly the codes of the error classes");
});

test("a BridgeStressError's message ends with its code and README line; reports take it without", (t) => {
  class Example extends BridgeStressError {
    static override readonly code = "example";
    static override readonly docs = "README.md#errors";
  }
  const cause = new Error("ENOSPC");
  const err = new Example("report.csv: disk full", { details: "after 10 bytes", cause });
  t.is(err.message, "report.csv: disk full\nafter 10 bytes\n[example] see README.md#errors");
  t.is(err.shortMessage, "report.csv: disk full\nafter 10 bytes");
  t.is(messageOf(err), err.shortMessage);
  t.is(messageOf(new Error("plain")), "plain");
  t.is(messageOf("thrown text"), "thrown text");
  t.like(err, { name: "Example", code: "example", docs: "README.md#errors", details: "after 10 bytes", cause });
  t.is(err.message.split("\n").at(-1), docsLine(err.code, err.docs));
  t.true(err instanceof Error);
});

test("the error classes found are the tree's (sanity check of the scan)", (t) => {
  for (const name of ["ScenarioError", "InstanceError", "UsageError", "ThresholdError", "OutputError", "RelayerPresetError"]) {
    t.true(classes.has(name), `${name} not found among ${[...classes.keys()].join(", ")}`);
  }
});
