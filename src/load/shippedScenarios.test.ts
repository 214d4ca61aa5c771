import test from "ava";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SHIPPED_SCENARIOS, type Scenario } from "./scenario.ts";
import { loadScenario } from "../scenarios.ts";
import type { WormholeScenario } from "../bridges/wormhole/scenario.ts";
import type { CosmosScenario } from "../bridges/localnets/scenario.ts";
import { THRESHOLD_METRICS } from "../measure/thresholds.ts";

// Every file in fixtures/scenarios/ is a shipped scenario: it loads, it is listed where the
// CLI names them, and the README documents it; each fault family has a scenario a user can run
// by name, whose thresholds state the expected outcome.
const DIR = fileURLToPath(new URL("../../fixtures/scenarios/", import.meta.url));
const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const files = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.slice(0, -".json".length))
  .sort();
const faultFiles = files.filter((f) => f.startsWith("fault-"));
const raw = (name: string) => JSON.parse(readFileSync(`${DIR}${name}.json`, "utf8")) as { description?: string; thresholds?: string[] };

const quorum = (guardians: number) => Math.floor((2 * guardians) / 3) + 1;
const destinations = (s: Scenario) => new Set(s.routes.flatMap((r) => r.to as string[]));
/** The relayer's links: the destination chains it submits to, and the VAA API it fetches from. */
const relayerLink = (s: Scenario, target: string) => target === "vaa-api" || destinations(s).has(target);

/** The fault families a shipped scenario must cover, each recognised from the parsed scenario. */
/** A parsed fault with the fields its kind gives it (the engine types only kind, atS and forS). */
type AnyFault = { kind: string; count: number; target: string; share: number };
const faultsOf = (s: Scenario) => s.faults as unknown as AnyFault[];
/** The section fields these checks read (the bridge's own types; a field another bridge lacks reads undefined). */
const section = (s: Scenario) => s as Scenario & Partial<Pick<WormholeScenario, "guardians" | "consistency"> & Pick<CosmosScenario, "cosmos">>;
const FAMILIES: Record<string, (s: Scenario) => boolean> = {
  "guardian outage below quorum": (s) =>
    faultsOf(s).some((f) => f.kind === "guardians-offline" && section(s).guardians! - f.count < quorum(section(s).guardians!)),
  "gossip partition": (s) => faultsOf(s).some((f) => f.kind === "gossip-partition"),
  "RPC latency on the relayer's links": (s) => faultsOf(s).some((f) => f.kind === "rpc-latency" && relayerLink(s, f.target)),
  "RPC outage on the relayer's links": (s) => faultsOf(s).some((f) => f.kind === "rpc-outage" && relayerLink(s, f.target)),
  "reorg at instant": (s) => section(s).consistency === "instant" && faultsOf(s).some((f) => f.kind === "reorg"),
  "reorg at finalized": (s) => section(s).consistency === "finalized" && faultsOf(s).some((f) => f.kind === "reorg"),
  "relayer restart": (s) => faultsOf(s).some((f) => f.kind === "relayer-restart"),
  "congestion beyond block space on the destination": (s) => faultsOf(s).some((f) => f.kind === "congestion" && f.share > 1 && destinations(s).has(f.target)),
  "validator halt on Cosmos": (s) =>
    s.bridge === "cosmos" && faultsOf(s).some((f) => f.kind === "validators-offline" && 3 * f.count >= section(s).cosmos!.validators),
};

/** README rows of the "Fault scenarios" table, by file name (without .json). */
function faultTable(): Map<string, string> {
  const section = README.split(/^### Fault scenarios$/m)[1]?.split(/^##/m)[0] ?? "";
  const rows = section.split("\n").filter((line) => /^\| `[^`]+\.json` \|/.test(line));
  return new Map(rows.map((row) => [/^\| `([^`]+)\.json`/.exec(row)![1]!, row]));
}

test("every file in fixtures/scenarios/ is a shipped scenario, loads by name, and carries its own name", (t) => {
  t.deepEqual([...SHIPPED_SCENARIOS].sort(), files);
  for (const name of files) t.is(loadScenario(name).name, name);
});

test("every fault family has a shipped scenario, and every fault scenario belongs to one", (t) => {
  const scenarios = new Map(faultFiles.map((name) => [name, loadScenario(name)]));
  for (const [family, covers] of Object.entries(FAMILIES)) {
    t.true([...scenarios.values()].some(covers), `no shipped scenario for "${family}"`);
  }
  for (const [name, s] of scenarios)
    t.true(
      Object.values(FAMILIES).some((covers) => covers(s)),
      `${name} belongs to no fault family`,
    );
});

test("each fault scenario has a description and thresholds that parse", (t) => {
  t.true(faultFiles.length > 0);
  for (const name of faultFiles) {
    const s = loadScenario(name);
    t.true((raw(name).description?.length ?? 0) > 40, `${name}: a description of what it shows`);
    t.true(s.faults.length > 0, `${name} schedules a fault`);
    t.true(s.thresholds.length >= 2, `${name}: thresholds that state the outcome`);
    t.is(s.thresholds.length, raw(name).thresholds!.length);
    for (const th of s.thresholds) t.true(Object.hasOwn(THRESHOLD_METRICS, th.metric), `${name}: ${th.text}`);
  }
});

test("the README lists every shipped scenario, and its Fault scenarios table every fault scenario with its fault and thresholds", (t) => {
  const shipped = /^Shipped scenarios:[\s\S]*?(?=\n\n)/m.exec(README)?.[0] ?? "";
  for (const name of files) t.true(shipped.includes(`\`${name}\``), `"Shipped scenarios:" in the README does not name ${name}`);
  const table = faultTable();
  t.deepEqual([...table.keys()].sort(), faultFiles, 'the README\'s "Fault scenarios" table lists exactly the fault-*.json files');
  for (const name of faultFiles) {
    const row = table.get(name) ?? "";
    for (const kind of new Set(loadScenario(name).faults.map((f) => f.kind))) t.true(row.includes(`\`${kind}\``), `${name}: the table names its fault ${kind}`);
    for (const text of raw(name).thresholds ?? []) t.true(row.includes(`\`${text}\``), `${name}: the table gives threshold ${text}`);
  }
});
