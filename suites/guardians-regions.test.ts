import { readFileSync } from "node:fs";
import { join } from "node:path";
import test from "ava";
import { assignRegions } from "../src/bridges/wormhole/guardians/regions.ts";
import { runLocal, type Row } from "./helpers/run.ts";

// Guardians placed in regions (the "spread" preset, aggregation point in us-east) against the
// same load with every guardian in one place. Three 2-second stages at 10 msgs/s: clean, then
// eu-west's gossip slowed by 300 ms (region-slow) and guardian 18 lagging 200 ms (guardian-delay),
// then eu-central cut off (region-cut).
// Spread from us-east: the 13th signature is eu-central's at 45 ms one way; with eu-central cut
// off it is ap-northeast's at 72.5 ms; ap-southeast's arrive at 107.5 ms.
const stages = [
  { rate: 10, duration: "2s" },
  { rate: 10, duration: "2s" },
  { rate: 10, duration: "2s" },
];
const REGIONS = assignRegions("spread", 19)!;

const quorumP50 = (hops: Row[], stage: string) => Number(hops.find((h) => h.stage === stage && h.hop === "guardian_quorum")!.p50_ms);
const guardiansIn = (rows: Row[], stage: string, region: string) => rows.filter((r) => r.stage === stage && r.region === region);

test.serial(
  "regions lengthen time-to-quorum; a slowed region and a lagging node show in guardians.csv; a cut region with a quorum left still forms VAAs",
  async (t) => {
    const flat = await runLocal({ name: "regions-flat", seed: 5, stages, drain: "10s" });
    const spread = await runLocal({
      name: "regions-spread",
      seed: 5,
      stages,
      drain: "10s",
      guardianNetwork: { regions: "spread" },
      faults: [
        { kind: "region-slow", at: "2s", for: "2s", region: "eu-west", ms: 300 },
        // A lagging node: the last guardian (18, in us-east) observes 200 ms late.
        { kind: "guardian-delay", at: "2s", for: "2s", count: 1, ms: 200 },
        { kind: "region-cut", at: "4s", for: "2s", region: "eu-central" },
      ],
    });
    for (const run of [flat, spread]) {
      t.deepEqual(run.survivors, [], "no process of the stack survives the run");
      const messages = run.rows("messages.csv");
      t.true(messages.length >= 55);
      t.deepEqual(
        messages.filter((m) => m.status !== "delivered").map((m) => `${m.message_id} ${m.drop_reason}`),
        [],
        "every message delivered, the cut stage included",
      );
    }

    // Time-to-quorum: flat waits for signing only; spread for eu-central's gossip (45 ms), and for
    // ap-northeast's (72.5 ms) while eu-central is cut off. The harness's own source watcher polls
    // every 20 ms, so the hop may start up to 20 ms after the guardians saw the block.
    const flatHops = flat.rows("hops.csv");
    const hops = spread.rows("hops.csv");
    // The flat run has no faults: its baseline is the least of its three stages' p50, since the
    // first seconds of a suite file can share the cores with the next file's start-up.
    const flat0 = Math.min(...["0", "1", "2"].map((stage) => quorumP50(flatHops, stage)));
    const [spread0, cut] = [quorumP50(hops, "0"), quorumP50(hops, "2")];
    t.log(`guardian_quorum p50: flat ${flat0} ms (least stage), spread ${spread0} ms, spread with eu-central cut off ${cut} ms`);
    t.true(spread0 >= 25 && spread0 >= flat0 + 20, `quorum p50: flat ${flat0} ms, spread ${spread0} ms`);
    t.true(cut >= 50 && cut > spread0, `quorum p50 with eu-central cut off: ${cut} ms (before: ${spread0} ms)`);

    // guardians.csv: one row per stage and guardian, regions as placed.
    const flatGuardians = flat.rows("guardians.csv");
    t.is(flatGuardians.length, 19 * 3);
    t.deepEqual([...new Set(flatGuardians.map((r) => r.region))], ["local"]);
    const guardians = spread.rows("guardians.csv");
    const manifest = JSON.parse(readFileSync(join(spread.result.runDir, "manifest.json"), "utf8")) as { sha256: Record<string, string> };
    t.regex(manifest.sha256["guardians.csv"] ?? "", /^[0-9a-f]{64}$/, "the manifest has guardians.csv's checksum");
    t.is(guardians.length, 19 * 3);
    for (const r of guardians) t.is(r.region, REGIONS[Number(r.guardian)], `guardian ${r.guardian}`);
    for (const r of guardians) t.true(Number(r.signatures) >= 15, `stage ${r.stage} guardian ${r.guardian}: ${r.signatures} signatures`);
    const arrivalP50 = (rows: Row[]) => rows.map((r) => Number(r.arrival_p50_ms));
    for (const stage of ["0", "1", "2"]) {
      const byRegion = [...new Set(REGIONS)].map((region) => `${region} ${arrivalP50(guardiansIn(guardians, stage, region)).join("/")}`);
      t.log(`stage ${stage} arrival p50 ms: ${byRegion.join(", ")}`);
    }
    // Clean stage: ap-southeast's signatures take at least their 107.5 ms; us-east's arrive at once.
    for (const ms of arrivalP50(guardiansIn(guardians, "0", "ap-southeast"))) t.true(ms >= 107.5, `ap-southeast arrival p50 ${ms} ms`);
    for (const ms of arrivalP50(guardiansIn(guardians, "0", "us-east"))) t.true(ms < 100, `us-east arrival p50 ${ms} ms`);
    // The slowed stage: eu-west's arrivals carry the 300 ms (on its 35 ms); no other region's do.
    for (const ms of arrivalP50(guardiansIn(guardians, "1", "eu-west"))) t.true(ms >= 335, `eu-west arrival p50 while slowed ${ms} ms`);
    for (const ms of arrivalP50(guardiansIn(guardians, "0", "eu-west"))) t.true(ms < 300, `eu-west arrival p50 before ${ms} ms`);
    for (const region of ["us-east", "us-west", "eu-central", "ap-northeast"]) {
      for (const ms of arrivalP50(guardiansIn(guardians, "1", region))) t.true(ms < 300, `${region} arrival p50 while eu-west is slowed ${ms} ms`);
    }
    // The lagging node shows in its own observation delays, and in no other guardian's.
    const observationP50 = (stage: string, g: number) => Number(guardians.find((r) => r.stage === stage && r.guardian === String(g))!.observation_p50_ms);
    t.true(observationP50("1", 18) >= 200, `guardian 18 observation p50 while lagging ${observationP50("1", 18)} ms`);
    t.true(observationP50("0", 18) < 100, `guardian 18 observation p50 before ${observationP50("0", 18)} ms`);
    for (let g = 0; g < 18; g++) t.true(observationP50("1", g) < 100, `guardian ${g} observation p50 ${observationP50("1", g)} ms`);
    t.deepEqual(
      spread
        .rows("events.csv")
        .map((e) => `${e.event} ${e.kind}`)
        .sort(),
      [
        "fault-end guardian-delay",
        "fault-end region-cut",
        "fault-end region-slow",
        "fault-start guardian-delay",
        "fault-start region-cut",
        "fault-start region-slow",
      ],
    );
  },
);
