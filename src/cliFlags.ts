import { parseArgs } from "node:util";
import { messageOf } from "./infra/errors.ts";
import type { MemoryGuardSettings } from "./measure/memoryGuard.ts";
import { parseThreshold, type Threshold } from "./measure/thresholds.ts";
import { UsageError } from "./usageError.ts";

// The CLI's flags, each checked without the engine: these modules load in a fraction of a second,
// so a mistyped flag is answered before the scenario loader (every bridge, the Wormhole SDK, viem:
// ~3 s of start-up here) is imported. src/cliArgs.ts then loads the scenario and applies them.

export const OPTIONS = {
  seed: { type: "string" },
  out: { type: "string" },
  "chain-mode": { type: "string", multiple: true },
  "fork-block": { type: "string", multiple: true },
  threshold: { type: "string", multiple: true },
  relayer: { type: "string", multiple: true },
  repeat: { type: "string" },
  "metrics-port": { type: "string" },
  "memory-guard": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];

export const DEFAULT_REPEAT = 5;
/** Three pairs give the t interval two degrees of freedom; two would leave one (a Cauchy interval, useless at a Bonferroni level). */
export const MIN_REPEAT = 3;

/** A `--repeat` value's problem, or undefined when it is usable. */
export function repeatProblem(value: number): string | undefined {
  return Number.isInteger(value) && value >= MIN_REPEAT
    ? undefined
    : `must be a whole number of at least ${MIN_REPEAT} (pairs of interleaved runs; the paired t interval needs N − 1 ≥ 2 degrees of freedom), ` +
        `e.g. --repeat ${DEFAULT_REPEAT}`;
}

/** `--memory-guard`: off, or the settings it gives (the scenario's own fill the rest). */
export type MemoryGuardFlag = false | Partial<MemoryGuardSettings>;

/** What a command line asks for, every flag checked, before any scenario is loaded. */
export type Flags =
  | { command: "help" }
  | { command: "bundle" | "report"; folder: string }
  | {
      command: "run" | "compare";
      /** A name in fixtures/scenarios/ or a path to a scenario file. */
      scenarioName: string;
      values: Values;
      repeat: number | undefined;
      seed: number | undefined;
      thresholds: Threshold[];
      memoryGuard: MemoryGuardFlag | undefined;
      metricsPort: number | undefined;
    };

/** Reads the CLI's arguments. A bad flag or argument is a UsageError naming it. Starts nothing, writes nothing, loads no scenario. */
export function readFlags(argv: string[]): Flags {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (err) {
    throw new UsageError(`argument "${offending(argv)}": ${(err as Error).message}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: "help" };
  const [command, scenarioName = "default", ...extra] = positionals;
  if (command === "bundle" || command === "report") {
    const folder = positionals[1];
    if (!folder || extra.length) throw new UsageError(`${command} takes one run folder, e.g. bridge-stress ${command} reports/<run-id>`);
    return { command, folder };
  }
  if (command !== "run" && command !== "compare") throw new UsageError(command ? `unknown command "${command}"` : "missing command");
  if (command === "compare" && (values.relayer?.length ?? 0) < 2)
    throw new UsageError("compare needs at least two --relayer presets, e.g. --relayer default --relayer serial");
  if (command === "run" && values.relayer) throw new UsageError('--relayer belongs to compare; for one run set "relayer" in the scenario');
  if (command === "run" && values.repeat !== undefined) {
    throw new UsageError("--repeat belongs to compare (pairs of runs per relayer preset); run makes one run");
  }
  let repeat: number | undefined;
  if (values.repeat !== undefined) {
    repeat = values.repeat.trim() === "" ? NaN : Number(values.repeat);
    const problem = repeatProblem(repeat);
    if (problem) throw new UsageError(`--repeat ${values.repeat}: ${problem}`);
  }
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  let seed: number | undefined;
  if (values.seed !== undefined) {
    seed = values.seed.trim() === "" ? NaN : Number(values.seed);
    if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new UsageError(`--seed ${values.seed}: must be an integer from 0 to ${2 ** 32 - 1}`);
  }
  const thresholds = (values.threshold ?? []).map((text) => {
    try {
      return parseThreshold(text);
    } catch (err) {
      throw new UsageError(`--threshold ${JSON.stringify(text)}: ${messageOf(err)}`);
    }
  });
  const memoryGuard = values["memory-guard"] === undefined ? undefined : memoryGuardFlag(values["memory-guard"]);
  let metricsPort: number | undefined;
  if (values["metrics-port"] !== undefined) {
    const written = values["metrics-port"];
    metricsPort = written.trim() === "" ? NaN : Number(written);
    if (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65_535)
      throw new UsageError(`--metrics-port ${written}: must be a port from 0 to 65535 (0: any free port)`);
  }
  return { command, scenarioName, values, repeat, seed, thresholds, memoryGuard, metricsPort };
}

const GUARD_KEYS = { minAvailable: "minAvailableShare", maxProcess: "maxProcessShare" } as const;

/**
 * `--memory-guard off`, or `minAvailable=S,maxProcess=S` (either or both; a share of the machine's
 * memory between 0 and 1): replaces the scenario's `memoryGuard`, keeping what the flag leaves out.
 */
function memoryGuardFlag(written: string): MemoryGuardFlag {
  const fix = 'give "off", or minAvailable=SHARE and/or maxProcess=SHARE, comma-separated, each share between 0 and 1 (e.g. minAvailable=0.1,maxProcess=0.5)';
  if (written.trim() === "off") return false;
  const settings: Partial<MemoryGuardSettings> = {};
  for (const part of written.split(",")) {
    const [key = "", value, ...more] = part.split("=").map((p) => p.trim());
    const field = GUARD_KEYS[key as keyof typeof GUARD_KEYS];
    const share = value === undefined || value === "" ? NaN : Number(value);
    if (!field || more.length) throw new UsageError(`--memory-guard ${written}: "${part}" is not a setting; ${fix}`);
    if (!(share > 0 && share < 1)) throw new UsageError(`--memory-guard ${written}: ${key} must be a share between 0 and 1 (exclusive); ${fix}`);
    settings[field] = share;
  }
  return settings;
}

/**
 * The argument parseArgs refused: the first prefix of argv it refuses ends with it (a flag
 * waiting for its value counts only at the end). Node's message names an option, which for a
 * group of short ones (-h=x) is not what was written.
 */
function offending(argv: string[]): string {
  for (let i = 0; i < argv.length; i += 1) {
    try {
      parseArgs({ args: argv.slice(0, i + 1), allowPositionals: true, options: OPTIONS });
    } catch (err) {
      const waiting = (err as { code?: string }).code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && i + 1 < argv.length;
      if (!waiting) return argv[i]!;
    }
  }
  return argv.at(-1) ?? "";
}
