import { parseArgs } from "node:util";
import { relative } from "node:path";
import { loadScenario } from "./load/scenario.ts";
import { CHAIN_MODES, type ChainMode } from "../chains/profiles.ts";
import { runScenario } from "./run.ts";
import { summaryTable } from "./report/summaryTable.ts";

const USAGE = `usage: bridge-stress run [scenario] [--seed N] [--out DIR] [--chain-mode CHAIN=MODE ...]

  scenario   a name in fixtures/scenarios/ (default: "default") or a path to a scenario JSON file
  --seed N   override the scenario's seed (same seed, same message sequence)
  --out DIR  folder for the run's report folder (default: reports)
  --chain-mode CHAIN=MODE
             run CHAIN as local (fresh anvil), fork (anvil --fork-url $BRIDGE_STRESS_FORK_URL_<CHAIN>)
             or remote (the dev node at $BRIDGE_STRESS_RPC_URL_<CHAIN>); repeatable`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        seed: { type: "string" },
        out: { type: "string" },
        "chain-mode": { type: "string", multiple: true },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command, scenarioName = "default", ...extra] = positionals;
  if (command !== "run") throw new UsageError(command ? `unknown command "${command}"` : "missing command");
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const scenario = loadScenario(scenarioName);
  if (values.seed !== undefined) {
    const seed = Number(values.seed);
    if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new UsageError(`--seed ${values.seed}: must be an integer from 0 to ${2 ** 32 - 1}`);
    scenario.seed = seed;
  }
  for (const setting of values["chain-mode"] ?? []) {
    const [chain, mode] = setting.split("=");
    if (!chain || !(CHAIN_MODES as readonly string[]).includes(mode ?? "")) {
      throw new UsageError(`--chain-mode ${setting}: write CHAIN=MODE with MODE one of ${CHAIN_MODES.join(", ")}, e.g. Ethereum=fork`);
    }
    const settings = scenario.chains[chain as keyof typeof scenario.chains];
    const inRun = scenario.routes.some((r) => r.from === chain || r.to.includes(chain as never));
    if (!inRun) throw new UsageError(`--chain-mode ${setting}: ${chain} is not in the scenario's routes`);
    scenario.chains[chain as keyof typeof scenario.chains] = { ...settings, mode: mode as ChainMode };
  }
  const result = await runScenario(scenario, { outDir: values.out, onProgress: (line) => console.log(line) });
  console.log(`\n${summaryTable(result.stages)}\n`);
  console.log(`reports: ${relative(process.cwd(), result.runDir) || "."}/ (messages.csv, steps.csv, run.json)`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError) console.error(`bridge-stress: ${err.message}\n\n${USAGE}`);
    else console.error(`bridge-stress: ${(err as Error).message}`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
