import { bridgeOf } from "./bridges/index.ts";
import { runScenario as runOn, type RunOptions, type RunResult } from "./engine/run.ts";
import type { Scenario } from "./load/scenario.ts";

export { createRunDir, type RunOptions, type RunResult } from "./engine/run.ts";

/** Runs a scenario on the bridge its `bridge` field names (src/bridges/index.ts): see src/engine/run.ts. */
export function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<RunResult> {
  return runOn(scenario, bridgeOf(scenario), options);
}
