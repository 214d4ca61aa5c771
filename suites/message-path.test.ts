import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createPublicClient, http, keccak256, type Hex } from "viem";
import { isAlive } from "../src/infra/instance.ts";
import { liquidationReceiverAbi } from "../fixtures/contracts/artifacts/index.ts";
import { loadScenario } from "../src/scenarios.ts";
import { runScenario, type RunResult } from "../src/run.ts";
import { MESSAGES, STEPS } from "../src/report/tables.ts";
import { percentile } from "../src/measure/histogram.ts";
import { readCsv, tempReports, evmStack } from "./helpers/run.ts";
import { fileSha256, scenarioHash, sequenceHash } from "../src/report/manifest.ts";
import { BUILT_IN_INTEGRATION } from "../src/bridges/wormhole/integrationLoader.ts";

// One short ramp through the whole path (Ethereum → Arbitrum, Base), shared by the assertions below.
let result: RunResult;
const onChain = new Map<string, Hex>(); // trigger id → delivery tx, from the receivers' own events
const onChainLate = new Map<string, boolean>(); // trigger id → the receiver's late verdict
const anvilPids: number[] = [];
const deployedCode = new Map<string, { address: string; codeKeccak256: Hex }>(); // "chain/contract" → what the chain holds

test.before(async () => {
  const outDir = tempReports();
  result = await runScenario(loadScenario("smoke"), {
    outDir,
    inspect: async (path) => {
      const stack = evmStack(path);
      for (const [name, receiver] of stack.receivers) {
        const client = createPublicClient({ transport: http(stack.chain(name).rpcUrl) });
        const logs = await client.getContractEvents({ address: receiver, abi: liquidationReceiverAbi, eventName: "TriggerDelivered", fromBlock: 0n });
        for (const log of logs) {
          onChain.set(`${name}/${log.args.triggerId}`, log.transactionHash);
          onChainLate.set(`${name}/${log.args.triggerId}`, log.args.late!);
        }
      }
      for (const chain of stack.chains.values()) if (chain.anvil?.pid) anvilPids.push(chain.anvil.pid);
      for (const [name, contracts] of Object.entries(stack.contracts)) {
        const client = createPublicClient({ transport: http(stack.chain(name as never).rpcUrl) });
        for (const [contract, address] of Object.entries(contracts)) {
          deployedCode.set(`${name}/${contract}`, { address, codeKeccak256: keccak256((await client.getCode({ address }))!) });
        }
      }
    },
  });
});

const rows = (file: string) => readCsv(result.runDir, file);

test("every offered message ends delivered or dropped with a reason, exactly once", (t) => {
  const records = rows("messages.csv");
  t.true(records.length > 0);
  for (const r of records) {
    t.true(r.status === "delivered" || (r.status === "dropped" && Boolean(r.drop_reason)), `message ${r.message_id}: ${r.status} ${r.drop_reason}`);
  }
  t.is(new Set(records.map((r) => r.message_id)).size, records.length);
  const offered = result.stats.stages.reduce((n, s) => n + s.offered, 0);
  t.is(offered, records.length);
  t.is(
    result.stats.stages.reduce((n, s) => n + s.delivered + s.dropped, 0),
    offered,
  );
});

test("at smoke rates every message is delivered", (t) => {
  const dropped = rows("messages.csv").filter((r) => r.status !== "delivered");
  t.deepEqual(
    dropped.map((r) => `${r.message_id}: ${r.drop_reason}`),
    [],
  );
});

test("delivered rows match the receivers' on-chain delivery events one to one", (t) => {
  const delivered = rows("messages.csv").filter((r) => r.status === "delivered");
  t.is(delivered.length, onChain.size);
  for (const r of delivered) {
    t.is(onChain.get(`${r.destination_chain}/${r.message_id}`), r.delivery_tx as Hex, `message ${r.message_id}`);
  }
});

test("late is the receiver's verdict (late_onchain) or the measured delay past the kind's deadline (late_measured)", (t) => {
  const { deadlineMs } = loadScenario("smoke");
  for (const r of rows("messages.csv").filter((row) => row.status === "delivered")) {
    t.is(r.late_onchain, String(onChainLate.get(`${r.destination_chain}/${r.message_id}`)), `message ${r.message_id}`);
    t.is(r.late_measured, String(Number(r.delay_ms) > deadlineMs[r.kind as keyof typeof deadlineMs]), `message ${r.message_id}`);
    t.is(r.late, String(r.late_onchain === "true" || r.late_measured === "true"), `message ${r.message_id}`);
  }
});

test("hop times of each delivered message are in order", (t) => {
  const hops = [
    "intended_at_ms",
    "sent_at_ms",
    "source_included_at_ms",
    "vaa_ready_at_ms",
    "relayer_fetched_at_ms",
    "relayer_submitted_at_ms",
    "delivered_at_ms",
  ];
  for (const r of rows("messages.csv").filter((row) => row.status === "delivered")) {
    const times = hops.map((h) => Number(r[h]));
    t.true(
      times.every((v, i) => r[hops[i]!] !== "" && Number.isFinite(v)),
      `message ${r.message_id} lacks a hop time`,
    );
    for (let i = 1; i < times.length; i++) {
      t.true(times[i]! >= times[i - 1]!, `message ${r.message_id}: ${hops[i]} ${times[i]} < ${hops[i - 1]} ${times[i - 1]}`);
    }
    t.is(Number(r.delay_ms), Number((times[6]! - times[0]!).toFixed(1)));
  }
});

test("both CSVs parse with the documented header", (t) => {
  const header = (file: string) => readFileSync(join(result.runDir, file), "utf8").split("\n")[0]!.split(",");
  t.deepEqual(header("messages.csv"), [...MESSAGES.columns]);
  t.deepEqual(header("steps.csv"), [...STEPS.columns]);
  const required =
    "message_id,kind,source_chain,destination_chain,stage,intended_at_ms,sent_at_ms,source_included_at_ms,vaa_ready_at_ms,relayer_submitted_at_ms,delivered_at_ms,delay_ms,status,drop_reason";
  for (const column of required.split(",")) t.true(header("messages.csv").includes(column), column);
  const steps = rows("steps.csv");
  t.is(steps.length, result.stats.stages.length);
  t.is(
    steps.reduce((n, s) => n + Number(s.delivered), 0),
    rows("messages.csv").filter((r) => r.status === "delivered").length,
  );
  const run = JSON.parse(readFileSync(join(result.runDir, "manifest.json"), "utf8"));
  t.true(run.complete);
});

test("steps.csv percentiles agree with a direct computation over messages.csv", (t) => {
  const messages = rows("messages.csv").filter((r) => r.status === "delivered");
  for (const step of rows("steps.csv")) {
    const delays = messages
      .filter((m) => m.stage === step.stage)
      .map((m) => Number(m.delay_ms))
      .sort((a, b) => a - b);
    t.true(delays.length > 0);
    for (const [column, p] of [
      ["p50_ms", 50],
      ["p90_ms", 90],
      ["p99_ms", 99],
      ["max_ms", 100],
    ] as const) {
      // Exact nearest rank: the same delay as messages.csv has it (both round to 0.1 ms).
      t.is(Number(step[column]), percentile(delays, p)!, `stage ${step.stage} ${column}`);
    }
  }
});

test("hops.csv splits each stage's delay into the five hops of the path, whose means add up to the mean delay", (t) => {
  const hops = rows("hops.csv");
  t.deepEqual([...new Set(hops.map((h) => h.hop))], ["send", "source_inclusion", "guardian_quorum", "relayer_pickup", "destination_inclusion"]);
  const delivered = rows("messages.csv").filter((r) => r.status === "delivered");
  for (const h of hops) {
    t.is(Number(h.count), delivered.filter((m) => m.stage === h.stage).length, `${h.stage}/${h.hop}`);
    t.true(Number(h.p50_ms) >= 0 && Number(h.p99_ms) >= Number(h.p50_ms));
  }
  for (const step of rows("steps.csv")) {
    const sum = hops.filter((h) => h.stage === step.stage).reduce((a, h) => a + Number(h.mean_ms), 0);
    // Each mean is rounded to 0.1 ms: five of them may be off by 0.25 ms together.
    t.true(Math.abs(sum - Number(step.mean_ms)) <= 0.3, `stage ${step.stage}: hops ${sum} vs mean ${step.mean_ms}`);
  }
});

test("the manifest records the seed, the sequence hash and every CSV's checksum", (t) => {
  const manifest = JSON.parse(readFileSync(join(result.runDir, "manifest.json"), "utf8"));
  const scenario = loadScenario("smoke");
  t.is(manifest.seed, scenario.seed);
  t.is(manifest.sequenceSha256, sequenceHash(scenario));
  t.is(manifest.scenario.sha256, scenarioHash(scenario));
  for (const file of ["messages.csv", "anomalies.csv", "steps.csv", "hops.csv", "summary.csv", "timeline.csv"]) {
    t.is(manifest.sha256[file], fileSha256(join(result.runDir, file)), file);
  }
  t.regex(manifest.environment.anvil, /anvil/);
  t.is(typeof manifest.environment.cores, "number");
  t.true(Object.values(manifest.endpoints).every((url) => String(url).startsWith("http://127.0.0.1:")));
  // The harness ceiling: guardian signatures on their own thread, so the slower of the two threads.
  t.regex(
    manifest.harnessLimits.ceilingWhat,
    /^slower of main thread \(sender \+ relayer signature: \d+\/s\) and guardian signing thread \(quorum of 13 guardian signatures: \d+\/s\), one core each$/,
  );
  const [, main, signing] = /: (\d+)\/s\) and .*: (\d+)\/s\)/.exec(manifest.harnessLimits.ceilingWhat)!.map(Number);
  t.true(Math.abs(manifest.harnessLimits.ceilingMsgsPerS - Math.min(main!, signing!)) <= 1, `${manifest.harnessLimits.ceilingMsgsPerS} vs ${main}, ${signing}`);
});

test("the manifest names the integration that ran: its module and hash, each contract's address and deployed-bytecode hash per chain, its checks", (t) => {
  const { integration } = JSON.parse(readFileSync(join(result.runDir, "manifest.json"), "utf8"));
  t.is(integration.name, "liquidation");
  t.is(integration.module, BUILT_IN_INTEGRATION);
  t.is(integration.sha256, fileSha256(BUILT_IN_INTEGRATION));
  // smoke: Ethereum sends, Arbitrum and Base receive.
  t.deepEqual(Object.keys(integration.contracts).sort(), ["Arbitrum", "Base", "Ethereum"]);
  t.deepEqual(Object.keys(integration.contracts.Ethereum), ["emitter"]);
  t.deepEqual(Object.keys(integration.contracts.Base), ["receiver"]);
  t.is(deployedCode.size, 3);
  for (const [key, code] of deployedCode) {
    const [chain, contract] = key.split("/") as [string, string];
    t.deepEqual(integration.contracts[chain][contract], code, key);
  }
  t.deepEqual(integration.verify, { problems: [] }, "every delivery the harness saw is counted by the receivers");
});

test("no anvil process remains after the run", (t) => {
  t.is(anvilPids.length, 3);
  t.deepEqual(anvilPids.filter(isAlive), []);
});
