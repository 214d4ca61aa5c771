import test from "ava";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { isAlive } from "../chains/instance.ts";
import { validateScenario } from "../src/load/scenario.ts";
import { runScenario } from "../src/run.ts";

test("relayer killed with SIGKILL mid-run and restarted from its checkpoint: zero lost, no second delivery", async (t) => {
  const scenario = validateScenario(
    {
      name: "fault-relayer-restart",
      seed: 24,
      chains: { Ethereum: { blockTimeMs: 200 }, Base: { blockTimeMs: 200 } },
      routes: [{ from: "Ethereum", to: ["Base"] }],
      stages: [
        { rate: 10, duration: "2s" },
        { rate: 10, duration: "2s" },
        { rate: 10, duration: "4s" },
      ],
      drain: "20s",
      senders: 2,
      faults: [{ kind: "relayer-restart", at: "2s", for: "2s" }],
    },
    "relayer-restart",
  );
  const pids: number[] = [];
  const result = await runScenario(scenario, {
    outDir: mkdtempSync(join(tmpdir(), "bridge-stress-")),
    inspect: async (stack) => {
      if (stack.relayerProcess?.pid) pids.push(stack.relayerProcess.pid);
    },
  });
  const rows = (file: string) => parse(readFileSync(join(result.runDir, file)), { columns: true }) as Record<string, string>[];
  const messages = rows("messages.csv");
  t.deepEqual(messages.filter((m) => m.status !== "delivered").map((m) => `${m.message_id} ${m.drop_reason}`), [], "nothing lost");
  t.is(result.stats.total.duplicates, 0, "no message delivered twice");
  t.deepEqual(rows("events.csv").map((e) => e.event), ["fault-start", "fault-end"]);
  // Messages signed while the relayer was down were delivered after the restart. (Their
  // relayer-reported times may be missing: a process's reports can trail the on-chain truth.)
  const waited = messages.filter((m) => Number(m.vaa_ready_at_ms) > 2300 && Number(m.vaa_ready_at_ms) < 3700);
  t.true(waited.length >= 8);
  for (const m of waited) t.true(Number(m.delivered_at_ms) >= 4000, `message ${m.message_id} delivered at ${m.delivered_at_ms} ms`);
  t.is(pids.length, 1);
  t.false(isAlive(pids[0]!), "the restarted relayer is stopped with the stack");
});
