import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { compareRelayers } from "../src/compare.ts";
import { validateScenario } from "../src/load/scenario.ts";
import { tempReports } from "./helpers/run.ts";

const scenario = (name: string, rate: number) =>
  validateScenario(
    {
      name,
      seed: 41,
      chains: { Ethereum: { blockTimeMs: 200 }, Base: { blockTimeMs: 200 } },
      routes: [{ from: "Ethereum", to: ["Base"] }],
      senders: 2,
      stages: [{ rate, duration: "3s" }],
      drain: "30s",
    },
    name,
  );

test.serial("two presets of different concurrency: the faster one is named, with an interval that excludes 0", async (t) => {
  // serial submits one delivery at a time (about one per 200 ms block); default keeps 64 in flight.
  const { dir, comparisons, runs } = await compareRelayers(scenario("compare-concurrency", 15), ["serial", "default"], { outDir: tempReports() });
  t.is(runs.length, 2);
  for (const { result } of runs) t.is(result.stats.total.dropped, 0);
  const p50 = comparisons.find((c) => c.stage === 0 && c.metric === "p50")!;
  t.log(p50.verdict);
  t.true(p50.ciHigh! < 0, "default's p50 is lower, and the whole interval is below 0");
  t.regex(p50.verdict, /^default's p50 is \d+ ms lower than serial's, 95 % CI \[-\d+, -\d+\] ms$/);
  const rows = parse(readFileSync(join(dir, "comparison.csv")), { columns: true }) as Array<Record<string, string>>;
  t.deepEqual(rows.map((r) => r.metric), ["p50", "p99", "mean"]);
  t.is(rows[0]!.verdict, p50.verdict);
});

test.serial("two identical presets: no significant difference", async (t) => {
  const { comparisons } = await compareRelayers(scenario("compare-identical", 10), ["default", "default"], { outDir: tempReports() });
  const p50 = comparisons.find((c) => c.stage === 0 && c.metric === "p50")!;
  t.log(p50.verdict);
  t.regex(p50.verdict, /^no significant difference/);
});
