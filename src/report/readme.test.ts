import test from "ava";
import { readFileSync } from "node:fs";
import { TABLES } from "./tables.ts";

// Every column of every CSV the harness writes is documented in README.md, and every column the
// README documents exists. A CSV's columns are documented between `<!-- columns: <file> -->` and
// `<!-- /columns -->`: either a table, whose rows name their columns in backticks in the first
// cell, or running text, where every backticked name outside parentheses is a column
// (`a, b, c` names three; parentheses hold what the columns mean, values included).

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

/** Text without its parenthesised parts (nested ones included). */
function withoutParentheses(text: string): string {
  let depth = 0;
  let out = "";
  for (const c of text) {
    if (c === "(") depth++;
    else if (c === ")") depth = Math.max(0, depth - 1);
    else if (depth === 0) out += c;
  }
  return out;
}

/** The backticked names in a piece of text, `a, b` giving a and b. */
const names = (text: string): string[] => [...text.matchAll(/`([^`]+)`/g)].flatMap((m) => m[1]!.split(",").map((name) => name.trim()));

/** Columns documented for each file, in the order the README gives them. */
function documentedColumns(readme: string): Map<string, string[]> {
  const documented = new Map<string, string[]>();
  for (const [, file, block] of readme.matchAll(/<!-- columns: (\S+) -->([\s\S]*?)<!-- \/columns -->/g)) {
    const rows = block!.split("\n").filter((line) => line.trimStart().startsWith("|"));
    // A table: its header row and the |---| row name no column.
    const found = rows.length ? rows.slice(2).flatMap((row) => names(row.split("|")[1] ?? "")) : names(withoutParentheses(block!));
    documented.set(file!, [...(documented.get(file!) ?? []), ...found]);
  }
  return documented;
}

test("the README's column lists are read as written: tables by their first cells, text outside parentheses", (t) => {
  const sample = [
    "<!-- columns: a.csv -->",
    "| column | meaning |",
    "| --- | --- |",
    "| `x`, `y` | both (`not_a_column`) |",
    "| `z` | `nor_this` |",
    "<!-- /columns -->",
    "Then <!-- columns: b.csv -->`p, q` (`r` or `s`), `t`<!-- /columns --> and `u`.",
  ].join("\n");
  t.deepEqual(Object.fromEntries(documentedColumns(sample)), { "a.csv": ["x", "y", "z"], "b.csv": ["p", "q", "t"] });
});

test("every column of every CSV is documented in README.md, and every column the README documents exists", (t) => {
  const documented = documentedColumns(README);
  for (const table of TABLES) {
    const listed = documented.get(table.file);
    if (!listed) {
      t.fail(`${table.file}: README.md documents none of its columns; add <!-- columns: ${table.file} --> … <!-- /columns --> around its column list`);
      continue;
    }
    const undocumented = table.columns.filter((c) => !listed.includes(c));
    const unknown = listed.filter((c) => !table.columns.includes(c));
    t.deepEqual(undocumented, [], `${table.file}: columns missing from README.md`);
    t.deepEqual(unknown, [], `${table.file}: README.md documents columns the file does not have`);
  }
  const declared = new Set(TABLES.map((table) => table.file));
  t.deepEqual(
    [...documented.keys()].filter((file) => !declared.has(file)),
    [],
    "README.md documents columns of files the harness does not write",
  );
});
