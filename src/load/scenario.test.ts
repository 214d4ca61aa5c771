import test from "ava";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDurationS, ScenarioError, SHIPPED_SCENARIOS } from "./scenario.ts";
import { loadScenario, validateScenario } from "../scenarios.ts";

const valid = { routes: [{ from: "Ethereum", to: ["Arbitrum"] }], stages: [{ rate: 5, duration: "10s" }] };

test("shipped scenarios are valid", (t) => {
  for (const name of SHIPPED_SCENARIOS) t.notThrows(() => loadScenario(name), name);
});

test("errors name the field, the value and what is allowed", (t) => {
  const cases: Array<[object, RegExp]> = [
    [{ ...valid, stages: [{ rate: -1, duration: "1s" }] }, /field "stages\[0\]\.rate" is -1; must be a number > 0/],
    [{ ...valid, stages: [{ rate: 1, duration: "ten" }] }, /field "stages\[0\]\.duration" is "ten"; must be a duration/],
    [{ ...valid, routes: [{ from: "Solana", to: ["Base"] }] }, /field "routes\[0\]\.from" is "Solana".*not an EVM chain/],
    [{ ...valid, routes: [{ from: "Base", to: ["Base"] }] }, /routes\[0\]\.to\[0\].*must differ/],
    [{ ...valid, consistency: "fast" }, /field "consistency" is "fast"; must be one of instant, safe, finalized/],
    [{ ...valid, mix: { liquidation: 1, bogus: 2 } }, /field "mix\.bogus"/],
    [{ ...valid, guardians: 20 }, /field "guardians" is 20; must be an integer from 1 to 19/],
    [{ ...valid, stage: [] }, /field "stage" is \[\]; is not a field here/],
    [{ ...valid, stages: [{ type: "ramping", rate: 10 }] }, /field "stages\[0\]\.duration" is undefined; must be a duration/],
    [
      { ...valid, stages: [{ type: "wave", rate: 10, duration: "1s" }] },
      /field "stages\[0\]\.type" is "wave"; must be "constant" \(the default\), "ramping" or "steps"/,
    ],
    [{ ...valid, thresholds: ["p99 < soon"] }, /field "thresholds\[0\]" is "p99 < soon"; must look like "p99<2000"/],
    [
      { ...valid, thresholds: ["p99<2000", "drop_rate<2"] },
      /field "thresholds\[1\]" is "drop_rate<2"; drop_rate is a ratio in \[0, 1\]; for 2 % write drop_rate<0\.02\n\[scenario-invalid\] see README\.md#scenario-files$/,
    ],
    [{ ...valid, thresholds: ["constructor<1"] }, /field "thresholds\[0\]" is "constructor<1"; unknown metric "constructor"; use one of p50, p90/],
    [
      { ...valid, faults: [{ kind: "guardians-offline", at: "1s", for: "1s", count: 25 }] },
      /field "faults\[0\]\.count" is 25; must be an integer from 1 to 19/,
    ],
    [
      { ...valid, guardians: 5, faults: [{ kind: "guardians-offline", at: "1s", for: "1s", count: 7 }] },
      /field "faults\[0\]\.count" is 7; must be at most the guardian set size \(5\)/,
    ],
    [
      { ...valid, faults: [{ kind: "meteor", at: "1s", for: "1s" }] },
      /field "faults\[0\]\.kind" is "meteor"; must be one of guardians-offline, guardian-delay/,
    ],
    [
      { ...valid, faults: [{ kind: "reorg", at: "1s", target: "Arbitrum", depth: 2 }] },
      /field "faults\[0\]\.target" is "Arbitrum"; must be a source chain of the routes \(Ethereum\)/,
    ],
    [
      { ...valid, faults: [{ kind: "reorg", at: "1s", target: "Ethereum", depth: 0 }] },
      /field "faults\[0\]\.depth" is 0; must be a whole number of blocks ≥ 1/,
    ],
    [
      { ...valid, faults: [{ kind: "congestion", at: "1s", for: "1s", target: "Arbitrum", share: -1 }] },
      /field "faults\[0\]\.share" is -1; must be a share of the block gas limit > 0/,
    ],
    [{ ...valid, bridge: "ibc" }, /field "routes" is .*; is not used with bridge "ibc": it is a field of bridge "wormhole" \(bridge "ibc" takes cosmos, ibc\)/],
    [
      { stages: valid.stages, bridge: "ibc", ibc: { destinationChainId: "stress-a" } },
      /field "ibc\.destinationChainId" is "stress-a"; must differ from cosmos\.chainId/,
    ],
    [
      { ...valid, faults: [{ kind: "validators-offline", at: "1s", for: "1s", target: "stress-a", count: 1 }] },
      /field "faults\[0\]\.kind" is "validators-offline"; is not available with bridge "wormhole": it needs bridge "cosmos" or "ibc"; bridge "wormhole" has guardians-offline/,
    ],
    [
      { stages: valid.stages, bridge: "cosmos", faults: [{ kind: "validators-offline", at: "1s", for: "1s", target: "stress-b", count: 1 }] },
      /field "faults\[0\]\.target" is "stress-b"; must be a localnet of this scenario \(stress-a\)/,
    ],
    [
      { stages: valid.stages, bridge: "cosmos", faults: [{ kind: "rpc-outage", at: "1s", for: "1s", target: "stress-a" }] },
      /field "faults\[0\]\.kind" is "rpc-outage"; is not available with bridge "cosmos"/,
    ],
    [{ ...valid, chains: { Ethereum: { mode: "cloud" } } }, /field "chains\.Ethereum\.mode" is "cloud"; must be one of local, fork, remote/],
    [
      { ...valid, chains: { Ethereum: { forkBlock: 100 } } },
      /field "chains\.Ethereum\.forkBlock" is 100; is for a forked chain, and Ethereum is in local mode; set its "mode" to "fork"/,
    ],
    [{ ...valid, chains: { Ethereum: { mode: "remote", forkBlock: 1 } } }, /field "chains\.Ethereum\.forkBlock" is 1; .*Ethereum is in remote mode/],
    [
      { ...valid, chains: { Ethereum: { mode: "fork", forkBlock: 1.5 } } },
      /field "chains\.Ethereum\.forkBlock" is 1\.5; must be a block number \(a whole number ≥ 0\)/,
    ],
    [{ ...valid, chains: { Ethereum: { mode: "fork", forkBlock: "latest" } } }, /field "chains\.Ethereum\.forkBlock" is "latest"; must be a block number/],
    [{ ...valid, messageFee: -1 }, /field "messageFee" is -1; must be a whole number of wei/],
    [{ ...valid, messageFee: "1e18" }, /field "messageFee" is "1e18"; must be a whole number of wei/],
  ];
  for (const [raw, message] of cases) t.throws(() => validateScenario(raw, "s.json"), { message }, JSON.stringify(raw));
});

test("memoryGuard: shares of the machine's memory, defaults 10 % available and 50 % a process, false turns it off", (t) => {
  t.deepEqual(validateScenario(valid, "t").memoryGuard, { minAvailableShare: 0.1, maxProcessShare: 0.5 });
  t.deepEqual(validateScenario({ ...valid, memoryGuard: { minAvailable: 0.2 } }, "t").memoryGuard, { minAvailableShare: 0.2, maxProcessShare: 0.5 });
  t.false(validateScenario({ ...valid, memoryGuard: false }, "t").memoryGuard);
  t.throws(() => validateScenario({ ...valid, memoryGuard: { maxProcess: 1.5 } }, "t"), {
    message: /field "memoryGuard\.maxProcess" is 1\.5; must be a share of the machine's memory between 0 and 1/,
  });
  t.throws(() => validateScenario({ ...valid, memoryGuard: true }, "t"), {
    message: /field "memoryGuard" is true; must be false \(no guard\) or \{ "minAvailable": 0\.1/,
  });
});

test("durations", (t) => {
  t.is(parseDurationS("10s"), 10);
  t.is(parseDurationS("500ms"), 0.5);
  t.is(parseDurationS("2m"), 120);
  t.is(parseDurationS(3), 3);
  t.is(parseDurationS("10"), undefined);
});

test("steps and ramping stages expand to the flat stage list", (t) => {
  const s = validateScenario(
    {
      ...valid,
      stages: [
        { type: "steps", from: 10, to: 30, step: 10, duration: "5s" },
        { type: "ramping", rate: 60, duration: "10s" },
        { rate: 5, duration: 1 },
      ],
    },
    "t",
  );
  t.deepEqual(s.stages, [
    { rate: 10, startRate: 10, durationS: 5 },
    { rate: 20, startRate: 20, durationS: 5 },
    { rate: 30, startRate: 30, durationS: 5 },
    { rate: 60, startRate: 30, durationS: 10 },
    { rate: 5, startRate: 5, durationS: 1 },
  ]);
});

test("a scenario with several errors reports all of them, one line each, schema errors and rules across fields alike", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "scenario-"));
  const file = join(dir, "three.json");
  writeFileSync(file, JSON.stringify({ ...valid, stages: [{ rate: -1, duration: "1s" }], stage: [], thresholds: ["p99<2000", "drop_rate<2"] }));
  const err = t.throws(() => loadScenario(file), { instanceOf: ScenarioError });
  t.is(
    err.message,
    [
      `${file}: 3 errors:`,
      '  field "stages[0].rate" is -1; must be a number > 0',
      '  field "stage" is []; is not a field here; check the spelling (the README lists every field)',
      '  field "thresholds[1]" is "drop_rate<2"; drop_rate is a ratio in [0, 1]; for 2 % write drop_rate<0.02',
      "[scenario-invalid] see README.md#scenario-files",
    ].join("\n"),
  );
  t.deepEqual(
    err.problems.map((p) => p.field),
    ["stages[0].rate", "stage", "thresholds[1]"],
  );
});

test("every rule across fields is reported, and none is judged on a default standing in for a field with an error", (t) => {
  const faults = [
    { kind: "guardians-offline", at: "1s", for: "1s", count: 7 },
    { kind: "reorg", at: "1s", target: "Arbitrum", depth: 2 },
  ];
  const mix = { liquidation: 0, order: 0, cancel: 0, spam: 0 };
  const err = t.throws(() => validateScenario({ ...valid, guardians: 5, faults, mix }, "s.json"), { instanceOf: ScenarioError });
  t.deepEqual(
    err.problems.map((p) => [p.field, p.value]),
    [
      ["mix", mix],
      ["faults[0].count", 7],
      ["faults[1].target", "Arbitrum"],
    ],
  );
  // routes is wrong itself: nothing is judged against the routes a default would stand in for (none, or the
  // Cosmos senders'), neither "routes" missing nor the reorg's target; the guardian count rule still is.
  const badRoutes = { ...valid, routes: [{ from: "Solana", to: ["Base"] }], guardians: 5, faults };
  const bad = t.throws(() => validateScenario(badRoutes, "s.json"), { instanceOf: ScenarioError });
  t.deepEqual(
    bad.problems.map((p) => p.field),
    ["routes[0].from", "faults[0].count"],
  );
  t.regex(bad.message, /^s\.json: 2 errors:\n {2}field "routes\[0\]\.from" is "Solana"; .*\n/);
  t.regex(
    bad.message,
    /\n {2}field "faults\[0\]\.count" is 7; must be at most the guardian set size \(5\)\n\[scenario-invalid\] see README\.md#scenario-files$/,
  );
});
