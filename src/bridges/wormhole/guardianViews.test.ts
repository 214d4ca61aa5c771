import test from "ava";
import { validateScenario } from "../../scenarios.ts";
import type { FaultSpec } from "../../load/faultKinds.ts";
import { wormhole } from "./index.ts";
import { faultProxies, planGuardianLinks, selectedGuardians, viewStackOptions } from "./guardianViews.ts";
import type { WormholeScenario } from "./scenario.ts";

const base = { routes: [{ from: "Ethereum", to: ["Base"] }], stages: [{ rate: 1, duration: "4s" }] };
const parse = (fields: Record<string, unknown>) => validateScenario({ ...base, ...fields }, "views") as WormholeScenario;
const fault = (fields: Record<string, unknown>) => ({ kind: "rpc-latency", at: "1s", for: "1s", target: "Ethereum", ms: 100, ...fields });

test("a `guardians` selector picks the last n guardians or the listed indices", (t) => {
  t.deepEqual(selectedGuardians(6, 19), [13, 14, 15, 16, 17, 18]);
  t.deepEqual(selectedGuardians(3, 2), [0, 1]);
  t.deepEqual(selectedGuardians([4, 0, 4], 19), [0, 4]);
});

test("every rpc-* kind takes `guardians`; a fault without it acts on its target's proxy as before", (t) => {
  for (const kind of ["rpc-latency", "rpc-timeout", "rpc-outage", "rpc-reset", "rpc-bandwidth"]) {
    const s = parse({
      faults: [
        {
          kind,
          at: "1s",
          for: "1s",
          target: "Ethereum",
          ...(kind === "rpc-bandwidth" ? { kbps: 10 } : kind === "rpc-latency" ? { ms: 5 } : {}),
          guardians: [1, 2],
        },
      ],
    });
    t.deepEqual(s.faults[0]!.guardians, [1, 2], kind);
  }
  const plain = parse({ faults: [fault({ target: "Base" })] });
  t.deepEqual(planGuardianLinks(plain.faults, 19), []);
  t.deepEqual(faultProxies([], plain.faults[0] as FaultSpec<{ target: string }>, 19), ["Base"]);
});

test("bad selectors are refused naming the field and the fix", (t) => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [
      { faults: [fault({ guardians: 0 })] },
      /field "faults\[0\]\.guardians" is 0; must be a count of guardians \(the last ones, 1…19\) or a list of guardian indices/,
    ],
    [{ faults: [fault({ guardians: "last" })] }, /field "faults\[0\]\.guardians" is "last"; must be a count of guardians/],
    [{ faults: [fault({ guardians: [] })] }, /field "faults\[0\]\.guardians" is \[\]; must be a count/],
    [{ guardians: 5, faults: [fault({ guardians: 6 })] }, /field "faults\[0\]\.guardians" is 6; must be at most the guardian set size \(5\)/],
    [
      { guardians: 5, faults: [fault({ guardians: [1, 7] })] },
      /field "faults\[0\]\.guardians" is \[1,7\]; must be indices of the guardian set, 0…4 \(7 are not\)/,
    ],
    [{ faults: [fault({ guardians: [1, 1] })] }, /field "faults\[0\]\.guardians" is \[1,1\]; must name each guardian once/],
    [
      { faults: [fault({ target: "Base", guardians: 2 })] },
      /field "faults\[0\]\.target" is "Base"; must be a source chain of the routes \(Ethereum\) when `guardians` is set/,
    ],
    [{ faults: [fault({ target: "vaa-api", guardians: 2 })] }, /field "faults\[0\]\.target" is "vaa-api"; must be a source chain of the routes/],
  ];
  for (const [fields, message] of cases) t.throws(() => parse(fields), { message }, JSON.stringify(fields));
});

test("own links: one per group of guardians selected by the same faults, and each fault reaches exactly its guardians", (t) => {
  const s = parse({
    routes: [
      { from: "Ethereum", to: ["Base"] },
      { from: "Arbitrum", to: ["Base"] },
    ],
    faults: [
      fault({ guardians: 3 }),
      { kind: "rpc-outage", at: "2s", for: "1s", target: "Ethereum", guardians: [15, 16, 17, 18] },
      fault({ target: "Arbitrum", guardians: [0] }),
    ],
  });
  const links = planGuardianLinks(s.faults, 19);
  t.deepEqual(links, [
    { chain: "Ethereum", guardians: [15], proxy: "Ethereum-guardians-15" },
    { chain: "Ethereum", guardians: [16, 17, 18], proxy: "Ethereum-guardians-16_17_18" },
    { chain: "Arbitrum", guardians: [0], proxy: "Arbitrum-guardians-0" },
  ]);
  const proxies = (i: number) => faultProxies(links, s.faults[i] as FaultSpec<{ target: string }>, 19);
  t.deepEqual(proxies(0), ["Ethereum-guardians-16_17_18"]);
  t.deepEqual(proxies(1), ["Ethereum-guardians-15", "Ethereum-guardians-16_17_18"]);
  t.deepEqual(proxies(2), ["Arbitrum-guardians-0"]);
  // A fault without `guardians` still reaches every guardian: the own links to its target too.
  t.deepEqual(faultProxies(links, { kind: "rpc-outage", atS: 5, forS: 1, target: "Ethereum" }, 19), [
    "Ethereum",
    "Ethereum-guardians-15",
    "Ethereum-guardians-16_17_18",
  ]);
});

test("view settings: seeded lags below viewLagMs (none with 0), the heartbeat, and the head-spread desync bound", (t) => {
  const s = parse({ seed: 3 });
  const { guardianViews } = viewStackOptions(s);
  t.is(guardianViews.heartbeatMs, 1000);
  t.is(guardianViews.lagsMs.length, 19);
  t.true(guardianViews.lagsMs.every((l) => l >= 0 && l < 20));
  t.deepEqual(viewStackOptions(parse({ seed: 3 })).guardianViews.lagsMs, guardianViews.lagsMs);
  const none = parse({ guardianNetwork: { viewLagMs: 0, heartbeatMs: 250, maxHeadSpread: 5 } });
  t.deepEqual(viewStackOptions(none).guardianViews, { lagsMs: Array(19).fill(0), heartbeatMs: 250 });
  t.deepEqual(wormhole.criteria?.(s), { maxHeightSkew: 3 });
  t.deepEqual(wormhole.criteria?.(none), { maxHeightSkew: 5 });
  t.throws(() => parse({ guardianNetwork: { maxHeadSpread: 0 } }), { message: /field "guardianNetwork\.maxHeadSpread" is 0; must be an integer from 1/ });
});
