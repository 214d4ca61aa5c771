import { z } from "zod";
import { integer } from "../../../load/fields.ts";
import { FLAT_TOPOLOGY, type GossipTopology } from "./topology.ts";

// Where the guardians sit (the scenario's `guardianNetwork.regions`) and how long their gossip
// takes to reach the aggregation point (the guardian whose VAA API the relayers read). Nothing
// here is random: the same scenario gives the same delays.

/**
 * Round-trip times between cloud regions, ms: approximate medians (rounded to 5 ms) of the
 * AWS inter-region p50 pings published at cloudping.co (us-east-1, us-west-2, eu-west-1,
 * eu-central-1, ap-northeast-1, ap-southeast-1). Real RTTs vary by hour and route; these set
 * the shape of a global network, not one day's figures. One-way gossip latency is RTT / 2.
 */
export const REGION_RTT_MS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  "us-east": { "us-west": 65, "eu-west": 70, "eu-central": 90, "ap-northeast": 145, "ap-southeast": 215 },
  "us-west": { "eu-west": 125, "eu-central": 145, "ap-northeast": 100, "ap-southeast": 165 },
  "eu-west": { "eu-central": 25, "ap-northeast": 200, "ap-southeast": 175 },
  "eu-central": { "ap-northeast": 225, "ap-southeast": 160 },
  "ap-northeast": { "ap-southeast": 70 },
};

/** RTT between two guardians of the same region (across availability zones), ms. */
export const INTRA_REGION_RTT_MS = 1;

/** The regions the default matrix knows, in the order the `spread` preset deals guardians. */
export const KNOWN_REGIONS = ["us-east", "us-west", "eu-west", "eu-central", "ap-northeast", "ap-southeast"] as const;

/** Presets of `regions`: `spread` deals guardians round-robin over KNOWN_REGIONS (guardian 0 in us-east, 1 in us-west, …). */
export const REGION_PRESETS = ["spread"] as const;

const REGION_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
const REGION_HINT = "must be a region name (lower-case letters, digits and dashes, e.g. us-east)";
const region = z.string({ error: REGION_HINT }).regex(REGION_NAME, { error: REGION_HINT });
const RTT_HINT = "must be a round-trip time in ms, a number ≥ 0";
const rtt = z.number({ error: RTT_HINT }).min(0, { error: RTT_HINT }).max(60_000, { error: "must be ≤ 60000 ms" });

/** `guardianNetwork.regions`: a preset name, or region → number of guardians (dealt in that order: the first region gets guardians 0…). */
export const regionsField = z
  .union([z.enum(REGION_PRESETS), z.record(region, integer(1, 19))], {
    error: `must be "${REGION_PRESETS.join('" or "')}" or an object of region → guardian count, e.g. { "us-east": 10, "eu-west": 9 }`,
  })
  .optional();
/** `guardianNetwork.rttMs`: round-trip times over the default matrix, { regionA: { regionB: ms } } (symmetric unless both directions are given). */
export const rttMsField = z.record(region, z.record(region, rtt)).optional();
/** `guardianNetwork.aggregationRegion`: the region of the guardian whose VAA API the relayers read. [the first guardian's] */
export const aggregationRegionField = region.optional();

export interface RegionFields {
  regions?: z.infer<typeof regionsField>;
  rttMs?: z.infer<typeof rttMsField>;
  aggregationRegion?: z.infer<typeof aggregationRegionField>;
}

/** The region of each guardian, by index, for `guardians` guardians; undefined when the scenario places none (flat). */
export function assignRegions(regions: RegionFields["regions"], guardians: number): string[] | undefined {
  if (regions === undefined) return undefined;
  if (regions === "spread") return Array.from({ length: guardians }, (_, i) => KNOWN_REGIONS[i % KNOWN_REGIONS.length]!);
  return Object.entries(regions).flatMap(([name, count]) => Array.from({ length: count }, () => name));
}

/** RTT between two regions, ms: the override (either direction), else the default matrix (either direction), else undefined. */
export function rttBetween(a: string, b: string, overrides: RegionFields["rttMs"] = {}): number | undefined {
  const given = overrides[a]?.[b] ?? overrides[b]?.[a];
  if (given !== undefined) return given;
  if (a === b) return INTRA_REGION_RTT_MS;
  return REGION_RTT_MS[a]?.[b] ?? REGION_RTT_MS[b]?.[a];
}

/**
 * Problems of the region fields that need the guardian set size or more than one field:
 * counts that do not add up to the set, an aggregation region without guardians, a region pair
 * with no round-trip time. `problem(field, value, allowed)` names the field.
 */
export function regionProblems(section: RegionFields | undefined, guardians: number, problem: (field: string, value: unknown, allowed: string) => void): void {
  const at = "guardianNetwork";
  const placed = assignRegions(section?.regions, guardians);
  if (!placed) {
    if (section?.aggregationRegion !== undefined)
      problem(`${at}.aggregationRegion`, section.aggregationRegion, 'needs "regions" (without them every guardian is in one place)');
    if (section?.rttMs !== undefined) problem(`${at}.rttMs`, section.rttMs, 'needs "regions" (without them gossip is instant)');
    return;
  }
  if (placed.length !== guardians) {
    problem(`${at}.regions`, section!.regions, `must place exactly the guardian set (${guardians} guardians): the counts add up to ${placed.length}`);
    return;
  }
  const names = [...new Set(placed)];
  const aggregation = section?.aggregationRegion ?? placed[0]!;
  if (!names.includes(aggregation)) {
    problem(`${at}.aggregationRegion`, aggregation, `must be a region with guardians (${names.join(", ")})`);
    return;
  }
  const missing = names.filter((name) => rttBetween(name, aggregation, section?.rttMs) === undefined);
  if (missing.length) {
    const pairs = missing.map((name) => `${name} ↔ ${aggregation}`).join(", ");
    problem(
      `${at}.rttMs`,
      section?.rttMs ?? {},
      `must give the round-trip time of ${pairs} (the default matrix knows ${KNOWN_REGIONS.join(", ")}), e.g. { "${missing[0]}": { "${aggregation}": 80 } }`,
    );
  }
}

/**
 * Guardians placed in regions: a guardian's gossip reaches the aggregation point after half the
 * RTT between its region and the aggregation point's, plus what a fault adds to its region
 * (region-slow). The scenario's fields must have passed regionProblems.
 */
export class RegionTopology implements GossipTopology {
  /** One-way delay to the aggregation point per guardian, ms (a fault's extra not included). */
  private readonly baseMs: Float64Array;
  /** Extra delay per region while a region-slow fault holds it, ms. */
  private readonly extraMs = new Map<string, number>();
  readonly aggregationRegion: string;

  constructor(
    readonly regions: readonly string[],
    fields: Pick<RegionFields, "rttMs" | "aggregationRegion"> = {},
  ) {
    this.aggregationRegion = fields.aggregationRegion ?? regions[0]!;
    this.baseMs = Float64Array.from(regions, (name) => {
      const ms = rttBetween(name, this.aggregationRegion, fields.rttMs);
      if (ms === undefined) throw new Error(`no round-trip time between ${name} and ${this.aggregationRegion} (regionProblems lets no such scenario through)`);
      return ms / 2;
    });
  }

  regionOf(index: number): string {
    return this.regions[index] ?? "unplaced";
  }

  delayMs(from: number): number {
    const base = this.baseMs[from] ?? 0;
    return this.extraMs.size ? base + (this.extraMs.get(this.regionOf(from)) ?? 0) : base;
  }

  /** Every guardian of `region` gossips `ms` slower (0 heals it). */
  slow(region: string, ms: number): void {
    if (ms > 0) this.extraMs.set(region, ms);
    else this.extraMs.delete(region);
  }

  /** The guardian indices of `region`. */
  guardiansIn(region: string): number[] {
    return this.regions.flatMap((name, index) => (name === region ? [index] : []));
  }
}

/** The topology a scenario's guardian section gives for `guardians` guardians: flat without `regions`. */
export function topologyFor(section: RegionFields | undefined, guardians: number): GossipTopology {
  const placed = assignRegions(section?.regions, guardians);
  return placed ? new RegionTopology(placed, section) : FLAT_TOPOLOGY;
}

/** The regions a scenario's guardian section names (for the region faults' checks); empty without `regions`. */
export function regionNames(section: RegionFields | undefined, guardians: number): string[] {
  return [...new Set(assignRegions(section?.regions, guardians) ?? [])];
}
