import { parseArgs } from "node:util";
import { applyChainFlag, forkBlockProblems, type WormholeScenario } from "./bridges/wormhole/scenario.ts";
import { repeatProblem } from "./compare.ts";
import { messageOf } from "./infra/errors.ts";
import type { Scenario } from "./load/scenario.ts";
import { DEFAULT_MEMORY_GUARD } from "./measure/memoryGuard.ts";
import { parseThreshold } from "./measure/thresholds.ts";
import { loadScenario } from "./scenarios.ts";
import { UsageError } from "./usageError.ts";

const OPTIONS = {
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

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];

/** What a command line asks for, every flag checked; a run or compare has its scenario loaded with the flags applied. */
export type CommandLine =
  | { command: "help" }
  | { command: "bundle" | "report"; folder: string }
  | { command: "run" | "compare"; scenario: Scenario; values: Values; repeat: number | undefined; metricsPort: number | undefined };

/**
 * Reads the CLI's arguments (src/cli.ts runs what they ask for). A bad flag or argument is a
 * UsageError naming it; a bad scenario the scenario's own error (ScenarioError, ScenarioFileError).
 * Starts nothing and writes nothing.
 */
export function parseCommandLine(argv: string[]): CommandLine {
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
  const scenario = loadScenario(scenarioName);
  if (values.seed !== undefined) {
    const seed = values.seed.trim() === "" ? NaN : Number(values.seed);
    if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new UsageError(`--seed ${values.seed}: must be an integer from 0 to ${2 ** 32 - 1}`);
    scenario.seed = seed;
  }
  const chainFlags = [
    ...(values["chain-mode"] ?? []).map((setting) => ["chain-mode", setting] as const),
    ...(values["fork-block"] ?? []).map((setting) => ["fork-block", setting] as const),
  ];
  for (const [flag, setting] of chainFlags) {
    if (scenario.bridge !== "wormhole")
      throw new UsageError(`--${flag} ${setting}: bridge "${scenario.bridge}" runs no EVM chains; --${flag} is for bridge "wormhole"`);
    try {
      applyChainFlag(scenario as WormholeScenario, flag, setting);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  if (chainFlags.length) {
    const [problem] = forkBlockProblems((scenario as WormholeScenario).chains);
    if (problem) throw new UsageError(`--fork-block / "chains.${problem.chain}.forkBlock" ${problem.forkBlock}: ${problem.allowed}`);
  }
  for (const text of values.threshold ?? []) {
    try {
      scenario.thresholds.push(parseThreshold(text));
    } catch (err) {
      throw new UsageError(`--threshold ${JSON.stringify(text)}: ${messageOf(err)}`);
    }
  }
  if (values["memory-guard"] !== undefined) scenario.memoryGuard = memoryGuardFlag(values["memory-guard"], scenario.memoryGuard);
  let metricsPort: number | undefined;
  if (values["metrics-port"] !== undefined) {
    const written = values["metrics-port"];
    metricsPort = written.trim() === "" ? NaN : Number(written);
    if (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65_535)
      throw new UsageError(`--metrics-port ${written}: must be a port from 0 to 65535 (0: any free port)`);
  }
  return { command, scenario, values, repeat, metricsPort };
}

const GUARD_KEYS = { minAvailable: "minAvailableShare", maxProcess: "maxProcessShare" } as const;

/**
 * `--memory-guard off`, or `minAvailable=S,maxProcess=S` (either or both; a share of the machine's
 * memory between 0 and 1): replaces the scenario's `memoryGuard`, keeping what the flag leaves out.
 */
function memoryGuardFlag(written: string, current: Scenario["memoryGuard"]): Scenario["memoryGuard"] {
  const fix = 'give "off", or minAvailable=SHARE and/or maxProcess=SHARE, comma-separated, each share between 0 and 1 (e.g. minAvailable=0.1,maxProcess=0.5)';
  if (written.trim() === "off") return false;
  const settings = { ...DEFAULT_MEMORY_GUARD, ...(current || {}) };
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
