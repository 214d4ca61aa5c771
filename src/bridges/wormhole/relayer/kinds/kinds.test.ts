import test from "ava";
import { readFileSync } from "node:fs";
import { relayerPresetNames } from "../config.ts";
import { chooseRelayer, RELAYER_KINDS } from "./index.ts";

const restart = { faults: [{ kind: "relayer-restart" }], runDir: "/tmp/run" };

test("a scenario's relayer value picks its kind through the registry", (t) => {
  t.is(chooseRelayer("default").kind.name, "reference");
  t.is(chooseRelayer("push", { faults: [{ kind: "rpc-latency" }], runDir: "." }).kind.name, "reference");
  t.is(chooseRelayer("default", restart).kind.name, "process");
  t.is(chooseRelayer("outside/batching").kind.name, "outside");
  t.is(chooseRelayer("outside/batching", restart).kind.name, "outside", "an outside relayer stays outside");
  t.deepEqual(
    RELAYER_KINDS.map((k) => [k.name, k.signsInProcess]),
    [
      ["outside", false],
      ["process", false],
      ["reference", true],
    ],
  );
});

test("an unknown relayer lists the kinds and the values each takes", (t) => {
  const error = t.throws(() => chooseRelayer("nope"))!;
  t.regex(error.message, /^relayer "nope": no relayer kind takes it; use one of the kinds: outside \(.*outside\/batching\); process \(/);
  for (const preset of relayerPresetNames()) t.true(error.message.includes(preset), preset);
  t.throws(() => chooseRelayer("outside/nope"), { message: /relayer "outside\/nope": no such outside relayer; use one of outside\/batching/ });
});

test("the stack and the path pick the relayer by the registry, not by its name or config shape", (t) => {
  for (const file of ["../../stack.ts", "../../path.ts"]) {
    const source = readFileSync(new URL(file, import.meta.url), "utf8");
    t.notRegex(source, /OUTSIDE_PREFIX|startsWith\("outside|"command" in|loadRelayerPreset|loadCommandRelayer/, file);
  }
});
