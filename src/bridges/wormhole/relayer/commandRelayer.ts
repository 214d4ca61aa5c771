import { EventEmitter } from "node:events";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { roleKeys } from "../../../../chains/devAccounts.ts";
import { ProcessInstance, type InstanceStatus } from "../../../infra/instance.ts";
import type { Relayer, RelayerEndpoints, RelayerEventMap } from "./relayer.ts";
import { RelayerPresetError } from "../../../engine/bridge.ts";
import { fieldPath } from "../../../load/scenario.ts";

const OUTSIDE_DIR = fileURLToPath(new URL("../../../../fixtures/relayers/outside/", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/** An outside relayer: any program, started as a command, told the endpoints in its environment. */
export interface CommandRelayerConfig {
  name: string;
  description?: string;
  /** Program and arguments, run from the project's folder. */
  command: string[];
  /** Extra environment for the program (its own settings). */
  env: Record<string, string>;
  /** TEST-ONLY relayer dev accounts handed to it (1..9). */
  wallets: number;
  /** Text of the output line the program prints once it follows the chains; without it, ready when spawned. */
  readyLine?: string;
}

const schema = z.strictObject({
  description: z.string().optional(),
  command: z.array(z.string()).min(1, { error: 'must be a non-empty array like ["node", "my-relayer.mjs"]' }),
  env: z.record(z.string(), z.string()).default({}),
  wallets: z.number().int().min(1).max(9).default(1),
  readyLine: z.string().min(1).optional(),
});

/** Outside relayer presets are named `outside/<name>` (fixtures/relayers/outside/<name>.json). */
export const OUTSIDE_PREFIX = "outside/";

export function outsideRelayerNames(): string[] {
  return readdirSync(OUTSIDE_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => `${OUTSIDE_PREFIX}${f.replace(/\.json$/, "")}`);
}

export function loadCommandRelayer(name: string): CommandRelayerConfig {
  const file = join(OUTSIDE_DIR, `${name.slice(OUTSIDE_PREFIX.length)}.json`);
  const known = outsideRelayerNames();
  // Only a listed name: a value like "outside/../default" must not read a file outside the folder.
  if (!known.includes(name) || !existsSync(file)) throw new RelayerPresetError(`relayer "${name}": no such outside relayer; use one of ${known.join(", ")}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new RelayerPresetError(`relayer "${name}": ${file} is not valid JSON (${(err as Error).message})`);
  }
  return parseCommandRelayer(raw, name);
}

/** Checks an outside relayer's description (the JSON of its file); an error names the field and what it may be. */
export function parseCommandRelayer(raw: unknown, name: string): CommandRelayerConfig {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === "unrecognized_keys") {
      const fields = issue.keys.map((key) => `"${fieldPath([...issue.path, key])}"`).join(", ");
      throw new RelayerPresetError(`relayer "${name}": field ${fields} is not a field here; allowed: ${Object.keys(schema.shape).join(", ")}`);
    }
    const what = issue.path.length ? `field "${fieldPath(issue.path)}"` : "the description (root)";
    throw new RelayerPresetError(`relayer "${name}": ${what}: ${issue.message}`);
  }
  return { name, ...parsed.data };
}

/**
 * Runs an outside relayer as a command: `BRIDGE_STRESS_ENDPOINTS` (JSON: VAA API URL,
 * sources, destinations with their receivers) and `BRIDGE_STRESS_RELAYER_KEYS` (TEST-ONLY
 * keys, comma-separated) in its environment. It reports nothing: its deliveries are
 * measured on-chain. Stopped (SIGTERM, then SIGKILL) with the stack.
 */
export class CommandRelayer implements Relayer {
  readonly name: string;
  readonly events = new EventEmitter<RelayerEventMap>();
  private readonly process: ProcessInstance;

  constructor(
    endpoints: RelayerEndpoints,
    readonly config: CommandRelayerConfig,
  ) {
    this.name = `relayer:${config.name}`;
    const [command, ...args] = config.command;
    this.process = new ProcessInstance({
      name: this.name,
      command: command === "node" ? process.execPath : command!,
      args,
      cwd: ROOT,
      env: {
        ...process.env,
        ...config.env,
        BRIDGE_STRESS_ENDPOINTS: JSON.stringify(endpoints),
        BRIDGE_STRESS_RELAYER_KEYS: roleKeys("relayer", config.wallets).join(","),
      },
      ...(config.readyLine ? { readyWhen: (line: string) => line.includes(config.readyLine!), startTimeoutMs: 30_000 } : {}),
    });
  }

  get status(): InstanceStatus {
    return this.process.status;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  logs(): string[] {
    return this.process.logs();
  }

  start(): Promise<void> {
    return this.process.start();
  }

  /** Nothing to wait for from outside: the run's final sweep reads what landed. */
  async settle(): Promise<void> {}

  stop(): Promise<void> {
    return this.process.stop();
  }
}
