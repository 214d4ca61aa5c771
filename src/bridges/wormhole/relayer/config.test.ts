import test from "ava";
import { loadRelayerPreset, relayerPresetNames, validateRelayerConfig } from "./config.ts";

const base = {
  pollIntervalMs: 50,
  fetchConcurrency: 8,
  concurrency: 4,
  wallets: 1,
  gasLimit: 400000,
  maxFeeGwei: 200,
  maxAttempts: 5,
  backoffMs: 250,
  receiptTimeoutMs: 20000,
};

test("every shipped preset loads, and the optional knobs get their defaults", (t) => {
  for (const name of relayerPresetNames()) t.notThrows(() => loadRelayerPreset(name), name);
  const config = validateRelayerConfig(base, "test");
  t.like(config, { vaaSource: "poll", gasStrategy: "fixed", priorityLanes: false, priorityFeeGwei: 1, feeMultiplier: 2, bumpAfterMs: 0, bumpPercent: 25 });
  t.like(loadRelayerPreset("eip1559-bump"), { gasStrategy: "eip1559", bumpAfterMs: 300, bumpPercent: 100 });
  t.like(loadRelayerPreset("push"), { vaaSource: "push" });
  t.like(loadRelayerPreset("narrow-lanes"), { priorityLanes: true, concurrency: 2 });
});

test("a bad knob names the field and what it may be", (t) => {
  t.throws(() => validateRelayerConfig({ ...base, gasStrategy: "legacy" }, "preset x"), {
    message: 'preset x: field "gasStrategy" is "legacy"; must be one of "fixed", "eip1559"\n[relayer-preset-invalid] see README.md#relayer-presets',
  });
  t.throws(() => validateRelayerConfig({ ...base, vaaSource: "spy" }, "preset x"), { message: /field "vaaSource" is "spy"; must be one of "poll", "push"/ });
  t.throws(() => validateRelayerConfig({ ...base, bumpPercent: 5 }, "preset x"), { message: /field "bumpPercent" is 5; must be a number from 10 to 1000/ });
  t.throws(() => validateRelayerConfig({ ...base, priorityLanes: "yes" }, "preset x"), { message: /field "priorityLanes" is "yes"; must be true or false/ });
  t.throws(() => validateRelayerConfig({ ...base, batching: 4 }, "preset x"), { message: /unknown field "batching"/ });
  t.throws(() => validateRelayerConfig({ ...base, batchSize: 100 }, "preset x"), { message: /field "batchSize" is 100; must be a number from 1 to 50/ });
  t.throws(() => validateRelayerConfig({ ...base, concurrency: undefined }, "preset x"), {
    message: /field "concurrency" is undefined; must be a number from 1 to 4096/,
  });
});
