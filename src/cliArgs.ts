import { applyChainFlag, forkBlockProblems, type WormholeScenario } from "./bridges/wormhole/scenario.ts";
import { type Flags, readFlags, type Values } from "./cliFlags.ts";
import type { Scenario } from "./load/scenario.ts";
import { DEFAULT_MEMORY_GUARD } from "./measure/memoryGuard.ts";
import { loadScenario } from "./scenarios.ts";
import { UsageError } from "./usageError.ts";

/** What a command line asks for, every flag checked; a run or compare has its scenario loaded with the flags applied. */
export type CommandLine =
  | { command: "help" }
  | { command: "bundle" | "report"; folder: string }
  | { command: "run" | "compare"; scenario: Scenario; values: Values; repeat: number | undefined; metricsPort: number | undefined };

/**
 * Reads the CLI's arguments (src/cli.ts runs what they ask for). A bad flag or argument is a
 * UsageError naming it (src/cliFlags.ts checks them first, without loading a scenario); a bad
 * scenario the scenario's own error (ScenarioError, ScenarioFileError). Starts nothing and writes nothing.
 */
export function parseCommandLine(argv: string[]): CommandLine {
  const flags = readFlags(argv);
  return "scenarioName" in flags ? withScenario(flags) : flags;
}

/** A run or comparison's command line. */
export type ScenarioLine = Extract<CommandLine, { scenario: Scenario }>;

/** The command line `flags` (checked by readFlags) with a run's or comparison's scenario loaded and the flags applied to it. */
export function withScenario(flags: Extract<Flags, { scenarioName: string }>): ScenarioLine {
  const { command, scenarioName, values, repeat, seed, thresholds, memoryGuard, metricsPort } = flags;
  const scenario = loadScenario(scenarioName);
  if (seed !== undefined) scenario.seed = seed;
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
  scenario.thresholds.push(...thresholds);
  // The flag's settings replace the scenario's, keeping what the flag leaves out.
  if (memoryGuard !== undefined) scenario.memoryGuard = memoryGuard && { ...DEFAULT_MEMORY_GUARD, ...(scenario.memoryGuard || {}), ...memoryGuard };
  return { command, scenario, values, repeat, metricsPort };
}
