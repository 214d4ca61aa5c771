import { dirname, resolve } from "node:path";
import { BRIDGES } from "./bridges/index.ts";
import { parseScenario, readScenarioFile, type Scenario } from "./load/scenario.ts";

/**
 * Checks a scenario against the engine's schema and the registered bridges' fault kinds, and
 * reports every problem at once (ScenarioError; see parseScenario in src/load/scenario.ts).
 */
export function validateScenario(raw: unknown, where: string, baseDir?: string): Scenario {
  return parseScenario(raw, where, Object.values(BRIDGES), baseDir);
}

/** Loads a scenario by name (fixtures/scenarios/<name>.json) or by path. */
export function loadScenario(nameOrPath: string): Scenario {
  const { raw, file } = readScenarioFile(nameOrPath);
  return validateScenario(raw, file, dirname(resolve(file)));
}
