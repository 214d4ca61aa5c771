// npm run bench:soak: the long-run benchmark. A steady rate for ten minutes on the shipped soak
// scenario's chains (Ethereum at 500 ms blocks → Arbitrum and Base at 250 ms, 19 guardians, the
// default relayer, 4 senders), then a 60 s drain. Its resources.csv (one row a minute: delivered,
// p99, the harness's and each chain's memory, each chain's block lateness) becomes the "Long run"
// section of BENCHMARKS.md, between markers that `npm run bench` keeps when it rewrites the rest.
//
//   tsx scripts/bench/soak.ts [--minutes 10] [--rate 200]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { validateScenario } from "../../src/scenarios.ts";
import { runScenario } from "../../src/run.ts";
import { environmentFacts } from "../../src/report/manifest.ts";
import { namedValues, readCsv } from "../../src/report/readBack.ts";
import { RESOURCES } from "../../src/report/tables.ts";
import { machineLines } from "./facts.ts";
import { type Minute, soakFigures, SOAK_END, SOAK_START, withSoakSection } from "./soakSection.ts";

const { values } = parseArgs({ options: { minutes: { type: "string", default: "10" }, rate: { type: "string", default: "200" } } });
const minutes = Number(values.minutes);
const rate = Number(values.rate);
if (!(minutes >= 2) || !(rate > 0)) throw new Error("--minutes must be 2 or more and --rate above 0");

const shipped = JSON.parse(readFileSync("fixtures/scenarios/soak.json", "utf8"));
const scenario = validateScenario({ ...shipped, name: "bench-soak", stages: [{ rate, duration: `${minutes}m` }], drain: "60s" }, "bench-soak");
const outDir = mkdtempSync(join(tmpdir(), "bench-soak-"));
try {
  console.log(`bench: soak, ${rate} msgs/s for ${minutes} min (+ 60 s drain) …`);
  const result = await runScenario(scenario, { outDir });
  // resources.csv's per-process cells are `name=value;…` (MB, ms).
  const perChain = (cell: string | undefined) => Object.fromEntries(namedValues(cell).map(([name, value]) => [name, Number(value)]));
  const load: Minute[] = readCsv(result.runDir, RESOURCES)
    .filter((r) => r.stage === "0")
    .map((r) => ({
      minute: Number(r.minute),
      delivered: Number(r.delivered),
      p99: Number(r.p99_ms),
      harnessRss: Number(r.harness_rss_max_mb),
      harnessHeap: Number(r.harness_heap_max_mb),
      chainRss: perChain(r.process_rss_max_mb),
      lateness: perChain(r.block_lateness_p99_ms),
    }));
  const total = result.stats.total;
  const section = soakFigures({
    rate,
    minutes,
    load,
    offered: total.offered,
    delivered: total.delivered,
    dropped: total.dropped,
    late: total.late,
    p99: total.delay.percentile(99) ?? Number.NaN,
    header: [...machineLines(), `- ${environmentFacts().anvil}`].join("\n"),
  });
  const file = "BENCHMARKS.md";
  writeFileSync(file, withSoakSection(readFileSync(file, "utf8"), section));
  console.log(`bench: wrote the long-run section (${SOAK_START} … ${SOAK_END}) of ${file}`);
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
