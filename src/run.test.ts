import test from "ava";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parse } from "csv-parse/sync";
import type { Hex } from "viem";
import { runScenario } from "./run.ts";
import { validateScenario } from "./scenarios.ts";
import type { PlannedMessage } from "./load/schedule.ts";
import type { DeliveryPath } from "./engine/bridge.ts";
import { now } from "./infra/clock.ts";
import type { Ledger } from "./measure/ledger.ts";

/** A path without chains: attaching takes `attachMs`, and every message is delivered as it is sent. */
class InstantPath implements DeliveryPath {
  readonly description = "an in-process stand-in";
  readonly limits = { observationPollMs: 0 };
  ledger: Ledger | undefined;
  attachEnd = 0;
  /** ledger.elapsed() when the hook attach registered with whenStarted ran. */
  hookAt: number | undefined;

  constructor(private readonly attachMs: number) {}

  endpoints() {
    return {};
  }
  versions() {
    return {};
  }
  pids() {
    return [];
  }
  async start() {}
  async measureCeiling() {}
  async settle() {}
  async stop() {}

  async attach(ledger: Ledger): Promise<void> {
    this.ledger = ledger;
    // Stands in for starting watchers, funding senders, deploying fault contracts.
    await sleep(this.attachMs);
    ledger.whenStarted(() => (this.hookAt = ledger.elapsed()));
    this.attachEnd = now();
  }

  async send(m: PlannedMessage): Promise<void> {
    const at = now();
    this.ledger!.sent(m.id, at, `0x${m.id.toString(16)}` as Hex);
    this.ledger!.delivered(m.id, at, "0xd0", false);
  }
}

test("the run clock starts when dispatch starts, after attach: stage 0 begins at 0 and what waits for the clock starts with it", async (t) => {
  const raw = { name: "clock", routes: [{ from: "Ethereum", to: ["Base"] }], stages: [{ rate: 20, duration: "0.25s" }], drain: "1s" };
  const scenario = validateScenario(raw, "clock test");
  const path = new InstantPath(150);
  const dir = mkdtempSync(join(tmpdir(), "run-clock-"));
  const result = await runScenario(scenario, { outDir: dir, path });
  t.true(path.ledger!.startedAt >= path.attachEnd, `clock origin ${path.ledger!.startedAt} is after attach ended (${path.attachEnd})`);
  t.true(path.hookAt! >= 0 && path.hookAt! < 150, `a hook registered during attach runs as the clock starts (at ${path.hookAt} ms), not 150 ms in`);
  const rows = parse(readFileSync(join(result.runDir, "messages.csv")), { columns: true }) as Array<Record<string, string>>;
  t.is(rows.length, 5);
  // Each send is at or after its intended time (the dispatcher never sends early), and none carries attach's 150 ms.
  for (const r of rows) t.true(Number(r.sent_at_ms) >= Number(r.intended_at_ms) - 0.1, `message ${r.message_id}`);
  t.true(Number(rows.find((r) => r.message_id === "1")!.sent_at_ms) < 150, "message 1 is not late by attach's time");
});

test("a p(N) threshold is answered from the run's delay percentile N, as steps.csv's", async (t) => {
  const scenario = validateScenario(
    {
      name: "pn",
      routes: [{ from: "Ethereum", to: ["Base"] }],
      stages: [{ rate: 40, duration: "0.25s" }],
      drain: "1s",
      thresholds: ["p(50)<600000", "p(90)>=0", "p(100)<0"],
    },
    "pn test",
  );
  const result = await runScenario(scenario, { outDir: mkdtempSync(join(tmpdir(), "run-pn-")), path: new InstantPath(0) });
  const delay = result.stats.total.delay;
  t.is(delay.count, 10);
  t.deepEqual(
    result.thresholds.map((r) => [r.metric, r.actual, r.passed]),
    [
      ["p(50)", delay.percentile(50), true],
      ["p(90)", delay.percentile(90), true],
      ["p(100)", delay.percentile(100), false],
    ],
  );
  t.true(result.thresholds.every((r) => typeof r.actual === "number"));
});

/** An InstantPath that reports this test process as its chain "Ethereum", with a block lateness of 2 ms a reading. */
class WatchedPath extends InstantPath {
  resources() {
    return { processes: { Ethereum: process.pid }, blockLateness: { Ethereum: [2, 2] } };
  }
}

test("the memory guard stops a run with a partial report whose manifest names the cause; the resource columns are filled", async (t) => {
  // Any process over 0.01 % of the machine trips this guard at its first reading, a second in.
  const raw = {
    name: "guarded",
    routes: [{ from: "Ethereum", to: ["Base"] }],
    stages: [{ rate: 10, duration: "30s" }],
    drain: "1s",
    memoryGuard: { maxProcess: 0.0001 },
  };
  const lines: string[] = [];
  const started = now();
  const result = await runScenario(validateScenario(raw, "guard test"), {
    outDir: mkdtempSync(join(tmpdir(), "run-guard-")),
    path: new WatchedPath(0),
    onProgress: (l) => lines.push(l),
  });
  t.true(now() - started < 20_000, "stopped long before the 30 s stage ended");
  t.regex(result.stoppedBy ?? "", /^memory guard: (harness|Ethereum) holds [\d.]+ GB resident, .* above memoryGuard\.maxProcess 0\.01 %$/);
  t.true(lines.some((l) => l.startsWith("stopping: memory guard:")));
  const manifest = JSON.parse(readFileSync(join(result.runDir, "manifest.json"), "utf8")) as Record<string, unknown>;
  t.false(manifest.complete);
  t.is(manifest.status, `stopped: ${result.stoppedBy}`);
  t.is(manifest.stoppedBy, result.stoppedBy);
  const [step] = parse(readFileSync(join(result.runDir, "steps.csv")), { columns: true }) as Array<Record<string, string>>;
  t.true(Number(step!.harness_rss_max_mb) > 10, `harness_rss_max_mb ${step!.harness_rss_max_mb}`);
  t.regex(step!.process_rss_max_mb!, /^Ethereum=\d+\.\d$/);
  t.is(step!.block_lateness_p99_ms, "Ethereum=2.0");
  const minutes = parse(readFileSync(join(result.runDir, "resources.csv")), { columns: true }) as Array<Record<string, string>>;
  t.is(minutes[0]?.minute, "0");
  t.is(minutes[0]?.block_lateness_p99_ms, "Ethereum=2.0");
});
