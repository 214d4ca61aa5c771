import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import type { Scenario } from "../../src/load/scenario.ts";
import { validateScenario } from "../../src/scenarios.ts";
import { runScenario, type RunOptions, type RunResult } from "../../src/run.ts";
import { percentile } from "../../src/measure/histogram.ts";
import { isAlive } from "../../src/infra/instance.ts";
import type { DeliveryPath } from "../../src/engine/bridge.ts";
import { WormholePath } from "../../src/bridges/wormhole/path.ts";
import type { EvmStack } from "../../src/bridges/wormhole/stack.ts";

export type Row = Record<string, string>;

/** A fresh folder for a run's reports. */
export function tempReports(): string {
  return mkdtempSync(join(tmpdir(), "bridge-stress-"));
}

/** A CSV of a run, one object per row keyed by the header. */
export function readCsv(runDir: string, file: string): Row[] {
  return parse(readFileSync(join(runDir, file)), { columns: true }) as Row[];
}

/** Runs the CLI (src/cli.ts through tsx) to its end; stdout and stderr together, in order. */
export async function cli(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const [code] = await once(child, "exit");
  return { code, output };
}

/**
 * Starts `command args` (a launcher of the CLI, or bin/bridge-stress.js under node) without
 * waiting for it: `underWay` resolves once its progress shows stage 0 under way (or it has
 * exited, which `exited` then says); `output()` is stdout and stderr so far.
 */
export function startRun(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env });
  let output = "";
  const exited = once(child, "exit");
  const started = new Promise<void>((resolve) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (/t=\d+s stage 0/.test(output)) resolve();
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
  });
  return { child, exited, underWay: Promise.race([started, exited]).then(() => undefined), output: () => output };
}

/**
 * Writes `<dir>/<name>.json`, a scenario file for the CLI: Ethereum → Base on 200 ms blocks,
 * one sender, a 15 s drain, with `fields` over those. Returns its path.
 */
export function scenarioFile(dir: string, name: string, fields: Record<string, unknown>): string {
  const file = join(dir, `${name}.json`);
  const defaults = {
    chains: { Ethereum: { blockTimeMs: 200 }, Base: { blockTimeMs: 200 } },
    routes: [{ from: "Ethereum", to: ["Base"] }],
    drain: "15s",
    senders: 1,
  };
  writeFileSync(file, JSON.stringify({ name, ...defaults, ...fields }));
  return file;
}

/**
 * Runs a small scenario on fresh local chains — on the Wormhole bridge Ethereum → Base,
 * 200 ms blocks, 2 senders unless `fields` say otherwise — and returns the result with its
 * CSVs at hand, and the processes of its stack (chains, fault proxy, relayer) still alive
 * after it returned.
 */
export async function runLocal(fields: Record<string, unknown>, options: Omit<RunOptions, "outDir"> = {}) {
  const wormhole = fields.bridge === undefined || fields.bridge === "wormhole";
  const defaults = wormhole
    ? { chains: { Ethereum: { blockTimeMs: 200 }, Base: { blockTimeMs: 200 } }, routes: [{ from: "Ethereum", to: ["Base"] }], senders: 2 }
    : {};
  return runValidated(validateScenario({ ...defaults, ...fields }, String(fields.name ?? "test scenario")), options);
}

/**
 * Runs a shipped scenario, fixtures/scenarios/<name>.json, as `runLocal` does; `overrides`
 * replace its top-level fields (e.g. a shorter drain).
 */
export async function runShipped(name: string, overrides: Record<string, unknown> = {}, options: Omit<RunOptions, "outDir"> = {}) {
  const raw = JSON.parse(readFileSync(new URL(`../../fixtures/scenarios/${name}.json`, import.meta.url), "utf8")) as Record<string, unknown>;
  // Paths in it (an integration module) are relative to the scenario file's folder, as when the CLI loads it.
  const folder = fileURLToPath(new URL("../../fixtures/scenarios/", import.meta.url));
  return runValidated(validateScenario({ ...raw, ...overrides }, `fixtures/scenarios/${name}.json`, folder), options);
}

async function runValidated(scenario: Scenario, options: Omit<RunOptions, "outDir">) {
  const pids: number[] = [];
  const result: RunResult = await runScenario(scenario, {
    ...options,
    outDir: tempReports(),
    inspect: async (path) => {
      pids.push(...path.pids());
      await options.inspect?.(path);
    },
  });
  return { result, rows: (file: string) => readCsv(result.runDir, file), survivors: pids.filter(isAlive) };
}

/** End-to-end delays of the delivered messages intended in [from, to) ms, sorted. */
function delaysBetween(messages: Row[], from: number, to: number): number[] {
  return messages
    .filter((m) => m.status === "delivered" && Number(m.intended_at_ms) >= from && Number(m.intended_at_ms) < to)
    .map((m) => Number(m.delay_ms))
    .sort((a, b) => a - b);
}

/** Median end-to-end delay of the delivered messages intended in [from, to) ms. */
export function p50Between(messages: Row[], from: number, to: number): number {
  return percentile(delaysBetween(messages, from, to), 50)!;
}

/** Mean end-to-end delay of the delivered messages intended in [from, to) ms. */
export function meanBetween(messages: Row[], from: number, to: number): number {
  const delays = delaysBetween(messages, from, to);
  return delays.reduce((a, b) => a + b, 0) / delays.length;
}

/** PIDs of running processes with this exact name (names are cut to 15 characters). */
export function pidsNamed(name: string): string[] {
  try {
    return execFileSync("pgrep", ["-x", name], { encoding: "utf8" }).trim().split("\n").filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** The EVM stack of a Wormhole run's delivery path (for tests that read chain state). */
export function evmStack(path: DeliveryPath): EvmStack {
  if (!(path instanceof WormholePath)) throw new Error(`expected a Wormhole run, got ${path.description}`);
  return path.stack;
}

/** The thresholds a run failed, each with its actual value (empty when all held). */
export function failedThresholds(result: RunResult): string[] {
  return result.thresholds.filter((r) => !r.passed).map((r) => `${r.text} (actual ${r.actual ?? "no data"})`);
}
