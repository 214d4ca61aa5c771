import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cpus, totalmem } from "node:os";
import { anvilBinary } from "../../chains/anvil.ts";
import type { Scenario } from "../load/scenario.ts";
import { schedule } from "../load/schedule.ts";
import { BridgeStressError } from "../infra/errors.ts";

/** The file of a run folder that describes the run (and marks it complete or not). */
/** A folder given to `report`, `bundle` or `compare`'s read-back that is not a run or comparison folder of this harness. */
export class RunFolderError extends BridgeStressError {
  static override readonly code = "run-folder-invalid";
  static override readonly docs = "README.md#reports";
}

export const MANIFEST = "manifest.json";

/** Packages whose versions decide what a run measured. */
const TRACKED_PACKAGES = [
  "@foundry-rs/anvil",
  "@wormhole-foundation/sdk-connect",
  "@wormhole-foundation/sdk-evm-core",
  "@wormhole-foundation/sdk-definitions",
  "viem",
  "secp256k1",
  "solc",
  "p-limit",
  "zod",
];

const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Installed versions (read from node_modules: many packages do not export their package.json). */
export function packageVersions(): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of TRACKED_PACKAGES) {
    try {
      versions[name] = (JSON.parse(readFileSync(join(PROJECT_ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
    } catch {
      versions[name] = "not installed";
    }
  }
  return versions;
}

function quiet(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "unknown";
  }
}

export function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

export function fileSha256(path: string): string {
  return sha256(readFileSync(path));
}

/** Canonical JSON of the validated scenario: key order fixed, so the hash names the configuration. */
export function scenarioHash(scenario: Scenario): string {
  return sha256(canonicalJson(scenario));
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/** sha256 over the scheduled messages (id, stage, intended time, kind, route, position): same seed + scenario, same hash. */
export function sequenceHash(scenario: Scenario): string {
  const hash = createHash("sha256");
  for (const m of schedule(scenario)) {
    hash.update(`${m.id},${m.stage},${m.intendedAt.toFixed(3)},${m.kind},${m.source},${m.destination},${m.positionSalt}\n`);
  }
  return hash.digest("hex");
}

let facts: ReturnType<typeof readEnvironment> | undefined;

/** Facts about this machine and checkout that a reader of the report needs (read once per process: they run git and anvil). */
export function environmentFacts() {
  facts ??= readEnvironment();
  return facts;
}

function readEnvironment() {
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryBytes: totalmem(),
    gitCommit: quiet("git", ["rev-parse", "HEAD"]),
    anvil: quiet(anvilBinary(), ["--version"]).split("\n")[0] ?? "unknown",
    packages: packageVersions(),
  };
}
