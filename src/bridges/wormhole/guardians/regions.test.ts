import test from "ava";
import { validateScenario } from "../../../scenarios.ts";
import { quorum } from "../vaa.ts";
import { assignRegions, KNOWN_REGIONS, REGION_RTT_MS, RegionTopology, regionProblems, rttBetween, topologyFor } from "./regions.ts";
import { FLAT_TOPOLOGY } from "./topology.ts";

const base = { routes: [{ from: "Ethereum", to: ["Arbitrum"] }], stages: [{ rate: 1, duration: "1s" }] };
const problems = (section: Parameters<typeof regionProblems>[0], guardians: number) => {
  const found: string[] = [];
  regionProblems(section, guardians, (field, _value, allowed) => found.push(`${field}: ${allowed}`));
  return found;
};

test("spread deals guardians round-robin over the known regions; an object places them in order", (t) => {
  const spread = assignRegions("spread", 19)!;
  t.is(spread[0], "us-east");
  t.is(spread[6], "us-east");
  t.is(spread[5], "ap-southeast");
  const counts = Object.fromEntries(KNOWN_REGIONS.map((r) => [r, spread.filter((x) => x === r).length]));
  t.deepEqual(counts, { "us-east": 4, "us-west": 3, "eu-west": 3, "eu-central": 3, "ap-northeast": 3, "ap-southeast": 3 });
  t.deepEqual(assignRegions({ "eu-west": 2, "us-east": 1 }, 3), ["eu-west", "eu-west", "us-east"]);
  t.is(assignRegions(undefined, 19), undefined);
  t.is(topologyFor(undefined, 19), FLAT_TOPOLOGY);
});

test("the default matrix covers every pair of known regions once, either direction reads it, same region is 1 ms", (t) => {
  for (const a of KNOWN_REGIONS) {
    for (const b of KNOWN_REGIONS) {
      const ms = rttBetween(a, b);
      t.true(ms !== undefined && ms > 0, `${a} ↔ ${b}`);
      t.is(ms, rttBetween(b, a));
      if (a !== b) t.false(REGION_RTT_MS[a]?.[b] !== undefined && REGION_RTT_MS[b]?.[a] !== undefined, `${a} ↔ ${b} given twice`);
    }
  }
  t.is(rttBetween("eu-west", "eu-west"), 1);
  t.is(rttBetween("ap-southeast", "us-east"), 215);
  t.is(rttBetween("mars", "us-east"), undefined);
  t.is(rttBetween("us-east", "eu-west", { "eu-west": { "us-east": 300 } }), 300);
});

test("a guardian's gossip delay is half the RTT to the aggregation point's region; quorum waits for the 13th nearest", (t) => {
  const topology = topologyFor({ regions: "spread" }, 19) as RegionTopology;
  t.is(topology.aggregationRegion, "us-east");
  t.is(topology.regionOf(0), "us-east");
  t.is(topology.delayMs(0), 0.5);
  t.is(topology.delayMs(1), 32.5); // us-west
  t.is(topology.delayMs(3), 45); // eu-central
  t.is(topology.delayMs(5), 107.5); // ap-southeast
  const sorted = Array.from({ length: 19 }, (_, i) => topology.delayMs(i)).sort((a, b) => a - b);
  t.is(sorted[quorum(19) - 1], 45);
  // Elsewhere: aggregation in ap-northeast, an override, a region outside the matrix.
  const asia = new RegionTopology(["us-east", "ap-northeast", "moon"], { aggregationRegion: "ap-northeast", rttMs: { moon: { "ap-northeast": 2600 } } });
  t.deepEqual([asia.delayMs(0), asia.delayMs(1), asia.delayMs(2)], [72.5, 0.5, 1300]);
});

test("region-slow's extra delay applies to that region's guardians only, and heals", (t) => {
  const topology = topologyFor({ regions: { "us-east": 2, "eu-west": 2 } }, 4) as RegionTopology;
  t.deepEqual(topology.guardiansIn("eu-west"), [2, 3]);
  topology.slow("eu-west", 300);
  t.deepEqual(
    [0, 1, 2, 3].map((i) => topology.delayMs(i)),
    [0.5, 0.5, 335, 335],
  );
  topology.slow("eu-west", 0);
  t.deepEqual(
    [0, 1, 2, 3].map((i) => topology.delayMs(i)),
    [0.5, 0.5, 35, 35],
  );
});

test("region fields that do not fit the guardian set or each other are refused, naming the field and the fix", (t) => {
  t.deepEqual(problems({ regions: "spread" }, 7), []);
  t.deepEqual(problems({ regions: { "us-east": 10, "eu-west": 8 } }, 19), [
    "guardianNetwork.regions: must place exactly the guardian set (19 guardians): the counts add up to 18",
  ]);
  t.deepEqual(problems({ regions: { "us-east": 1, "eu-west": 1 }, aggregationRegion: "ap-southeast" }, 2), [
    "guardianNetwork.aggregationRegion: must be a region with guardians (us-east, eu-west)",
  ]);
  t.regex(
    problems({ regions: { "us-east": 1, moon: 1 } }, 2)[0]!,
    /^guardianNetwork\.rttMs: must give the round-trip time of moon ↔ us-east .*e\.g\. \{ "moon": \{ "us-east": 80 \} \}/,
  );
  t.deepEqual(problems({ regions: { "us-east": 1, moon: 1 }, rttMs: { "us-east": { moon: 900 } } }, 2), []);
  t.deepEqual(problems({ aggregationRegion: "us-east" }, 19), [
    'guardianNetwork.aggregationRegion: needs "regions" (without them every guardian is in one place)',
  ]);
});

test("a scenario with regions parses; bad region fields and region faults are reported by field", (t) => {
  const ok = validateScenario(
    { ...base, guardianNetwork: { regions: "spread" }, faults: [{ kind: "region-slow", at: "1s", for: "1s", region: "eu-west", ms: 200 }] },
    "regions",
  );
  t.truthy(ok);
  const refused = (fields: Record<string, unknown>) => t.throws(() => validateScenario({ ...base, ...fields }, "regions"))!.message;
  t.regex(refused({ guardianNetwork: { regions: "everywhere" } }), /guardianNetwork\.regions.*must be "spread" or an object of region → guardian count/);
  t.regex(
    refused({ guardians: 4, guardianNetwork: { regions: { "us-east": 3 } } }),
    /guardianNetwork\.regions.*must place exactly the guardian set \(4 guardians\)/,
  );
  t.regex(
    refused({ guardianNetwork: { regions: "spread" }, faults: [{ kind: "region-cut", at: "1s", for: "1s", region: "moon" }] }),
    /faults\[0\]\.region.*must be a region with guardians \(us-east, us-west, eu-west, eu-central, ap-northeast, ap-southeast\)/,
  );
  t.regex(
    refused({ faults: [{ kind: "region-slow", at: "1s", for: "1s", region: "eu-west", ms: 5 }] }),
    /faults\[0\]\.region.*needs guardians placed in regions/,
  );
});
