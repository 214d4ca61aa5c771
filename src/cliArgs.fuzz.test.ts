import test from "ava";
import fc from "fast-check";
import { BridgeStressError } from "./infra/errors.ts";
import { SHIPPED_SCENARIOS } from "./load/scenario.ts";
import { parseCommandLine } from "./cliArgs.ts";
import { UsageError } from "./usageError.ts";

// Property: any argv the CLI may be given either reads into a command or is refused with the
// project's error (a UsageError for flags and arguments, the scenario's own error for a bad
// scenario) whose message names an argument of the command line; never a TypeError or a stack
// trace. parseCommandLine starts and writes nothing. Seeded, so a failure replays.
const RUNS = { numRuns: 300, seed: 18 };

const FLAGS = [
  "--seed",
  "--out",
  "--threshold",
  "--chain-mode",
  "--fork-block",
  "--relayer",
  "--repeat",
  "--metrics-port",
  "--memory-guard",
  "--help",
  "-h",
  "--bogus",
  "-x",
  "--",
];
const value = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom("", " ", "-1", "0", "1", "3", "65536", "4294967296", "1e3", "0x10", "NaN", "Infinity", "p99<1", `p99<${"9".repeat(400)}`, "bogus<1"),
  fc.constantFrom(
    "off",
    "minAvailable=0.2",
    "maxProcess=1",
    "minAvailable=0.1,maxProcess=0.5,",
    "Ethereum=fork",
    "Ethereum=remote",
    "Ethereum=",
    "=fork",
    "Nowhere=local",
    "Ethereum=12",
    "Ethereum=-1",
    `Ethereum=${"9".repeat(30)}`,
    "__proto__=fork",
  ),
  fc.constantFrom("default", "serial", "push", "outside/batching", "outside/../default", "../scenarios/default"),
);
const positional = fc.oneof(
  fc.constantFrom(...SHIPPED_SCENARIOS),
  fc.constantFrom(
    ".",
    "/",
    "..",
    "fixtures",
    "fixtures/scenarios",
    "/dev/null",
    "/nonexistent.json",
    "package.json",
    "README.md",
    "constructor",
    "__proto__",
    "",
  ),
  fc.string({ maxLength: 10 }),
);
const token = fc.oneof(
  fc.tuple(fc.constantFrom(...FLAGS), value).map(([flag, v]) => [flag, v]),
  fc.tuple(fc.constantFrom(...FLAGS), value).map(([flag, v]) => [`${flag}=${v}`]),
  positional.map((p) => [p]),
);
const argv = fc
  .tuple(fc.oneof(fc.constantFrom("run", "compare", "report", "bundle"), fc.string({ maxLength: 6 })), fc.array(token, { maxLength: 6 }))
  .map(([command, rest]) => [command, ...rest.flat()]);

/** What an error may name: a flag (without its value), a value, the command, or the scenario it read. */
function namesAnArgument(message: string, args: string[]): boolean {
  if (/missing command|^compare needs|takes one run folder/.test(message)) return true;
  return args.some((a) => {
    // Node's parseArgs writes an unknown option without its trailing spaces, and of a group of
    // short options (-abc) the first it does not know (-a).
    const flag = (a.startsWith("--") ? /^(--[^=]*)/.exec(a)?.[1] : /^(-.)/.exec(a)?.[1])?.trimEnd();
    return (flag && message.includes(flag)) || message.includes(JSON.stringify(a)) || (a.trim() !== "" && message.includes(a.length > 40 ? a.slice(0, 40) : a));
  });
}

test("any command line reads into a command or is refused with an error naming an argument", (t) => {
  fc.assert(
    fc.property(argv, (args) => {
      try {
        parseCommandLine(args);
      } catch (err) {
        if (!(err instanceof BridgeStressError)) throw new Error(`${JSON.stringify(args)}: ${(err as Error)?.stack ?? String(err)}`);
        if (!namesAnArgument(err.message, args)) throw new Error(`${JSON.stringify(args)}: names no argument: ${err.message}`);
      }
    }),
    RUNS,
  );
  t.pass();
});

test("regression: a scenario path that is a folder is refused as a folder, not as a file of bad JSON", (t) => {
  for (const path of [".", "fixtures/scenarios"]) {
    t.throws(() => parseCommandLine(["run", path]), { instanceOf: BridgeStressError, message: new RegExp(`^scenario ${path}: a folder, not a scenario file`) });
  }
  t.throws(() => parseCommandLine(["run", "/dev/null"]), { instanceOf: BridgeStressError, message: /^scenario \/dev\/null: not valid JSON/ });
});

test("regression: an empty --seed or --metrics-port is refused, not read as 0", (t) => {
  t.throws(() => parseCommandLine(["run", "smoke", "--seed", ""]), { instanceOf: UsageError, message: /^--seed : must be an integer/ });
  t.throws(() => parseCommandLine(["run", "smoke", "--metrics-port", " "]), { instanceOf: UsageError, message: /^--metrics-port {2}: must be a port/ });
  t.like(parseCommandLine(["run", "smoke", "--seed", "7", "--metrics-port", "0"]), { command: "run", metricsPort: 0, scenario: { seed: 7 } });
});

test("regression: a refused option names the argument as written, not only the option Node read from it", (t) => {
  t.throws(() => parseCommandLine(["report", "-h=default"]), { instanceOf: UsageError, message: /^argument "-h=default": Unknown option '-='/ });
  t.throws(() => parseCommandLine(["run", "--seed"]), { instanceOf: UsageError, message: /^argument "--seed": Option '--seed <value>' argument missing/ });
  t.throws(() => parseCommandLine(["run", "--seed", "1", "--nope"]), { instanceOf: UsageError, message: /^argument "--nope": Unknown option '--nope'/ });
});

test("--memory-guard sets the scenario's guard: off, or either share, the other kept; a bad setting names the flag and the fix", (t) => {
  t.like(parseCommandLine(["run", "smoke", "--memory-guard", "off"]), { scenario: { memoryGuard: false } });
  t.like(parseCommandLine(["run", "smoke", "--memory-guard", "minAvailable=0.2"]), {
    scenario: { memoryGuard: { minAvailableShare: 0.2, maxProcessShare: 0.5 } },
  });
  t.like(parseCommandLine(["run", "smoke", "--memory-guard", "maxProcess=0.8, minAvailable=0.05"]), {
    scenario: { memoryGuard: { minAvailableShare: 0.05, maxProcessShare: 0.8 } },
  });
  for (const bad of ["", "on", "maxProcess=1", "minAvailable=", "minAvailable=0.1=2", "maxprocess=0.3"]) {
    t.throws(
      () => parseCommandLine(["run", "smoke", "--memory-guard", bad]),
      { instanceOf: UsageError, message: /^--memory-guard .*(is not a setting|must be a share).*give "off"/ },
      bad,
    );
  }
});
