import { z } from "zod";
import { duration, integer } from "../../../load/fields.ts";
import { aggregationRegionField, regionsField, rttMsField } from "./regions.ts";
import type { GuardianBehaviour } from "./guardianNetwork.ts";

// The scenario's `guardianNetwork` section: how close the simulated guardians behave to
// Wormhole's guardiand. Every field is optional; `guardianSettings` fills in the defaults, so a
// scenario without the section parses (and hashes) as before.

/** Wormhole's processor: the first re-observation request 5 minutes after the first observation (FirstRetryMinWait). */
export const WORMHOLE_FIRST_RETRY_S = 5 * 60;
/** Wormhole's processor drops an observation of its own that has not reached quorum after 30 hours (retryLimitOurs). */
export const WORMHOLE_GIVE_UP_S = 30 * 3600;
/** Wormhole's processor publishes a guardian's observations as one gossip message at most every second (MaxObservationBatchDelay). */
export const WORMHOLE_BATCH_DELAY_MS = 1000;
/** … and at most 4,000 observations a message (MaxObservationBatchSize). */
export const WORMHOLE_BATCH_SIZE = 4000;
/** Wormhole guardians gossip a heartbeat (with each chain's head) every 15 s. */
export const WORMHOLE_HEARTBEAT_MS = 15_000;

const OFF_HINT = "must be false (off) or an object";
const ms = (what: string) => z.number({ error: `must be ${what}, a number of ms ≥ 0` }).min(0, { error: `must be ${what}, a number of ms ≥ 0` });

export const guardianNetworkSection = z
  .strictObject({
    /**
     * Re-observation of messages short of quorum (Wormhole's processor and watchers): false turns
     * it off (a message without quorum is dropped `no-quorum` at the drain's end).
     */
    reobservation: z
      .union([z.literal(false), z.strictObject({ firstRetry: duration.optional(), giveUpAfter: duration.optional() })], { error: OFF_HINT })
      .optional(),
    /** Observation batching before gossip: false publishes each observation at once (the suite's behaviour before). */
    batching: z
      .union([z.literal(false), z.strictObject({ maxDelayMs: ms("the longest a batch waits").optional(), maxSize: integer(1, 100_000).optional() })], {
        error: OFF_HINT,
      })
      .optional(),
    /** How often each guardian reports its heads in a heartbeat, ms. */
    heartbeatMs: z.number({ error: "must be a number of ms ≥ 50" }).min(50, { error: "must be a number of ms ≥ 50" }).optional(),
    /** Where the guardians sit (regions.ts): a preset or region → guardian count; absent: one place, instant gossip. */
    regions: regionsField,
    /** Round-trip times over the default region matrix, ms. */
    rttMs: rttMsField,
    /** The region of the guardian whose VAA API the relayers read. [the first guardian's] */
    aggregationRegion: aggregationRegionField,
    /** Each guardian's lag on the shared pollers is drawn from the seed, uniform in [0, viewLagMs) ms; 0: no lag (chainView.ts). */
    viewLagMs: ms("the upper end of the guardians' view lags").optional(),
    /** Bound on the spread of the guardians' heartbeat heads (max − min on one chain), blocks: the desync criterion. */
    maxHeadSpread: integer(1, 1_000_000).optional(),
  })
  .optional();

export type GuardianNetworkSection = z.infer<typeof guardianNetworkSection>;

/** The section with every default filled in. */
export interface GuardianSettings {
  /** undefined: re-observation is off. */
  reobservation: { firstRetryMs: number; giveUpAfterMs: number } | undefined;
  /** undefined: each observation is gossiped at once. */
  batching: { maxDelayMs: number; maxSize: number } | undefined;
  heartbeatMs: number;
  viewLagMs: number;
  maxHeadSpread: number;
}

/** The default upper end of the view lags: the shared poller's interval (ChainObserver's default), see viewLags. */
export const DEFAULT_VIEW_LAG_MS = 20;
/** The default bound on the heartbeat head spread, blocks: as the Cosmos localnets' default maxHeightSkew. */
export const DEFAULT_MAX_HEAD_SPREAD = 3;

/** The defaults are Wormhole's, except where README "How close the guardians are to Wormhole's" says otherwise. */
export function guardianSettings(section: GuardianNetworkSection): GuardianSettings {
  const r = section?.reobservation;
  const b = section?.batching;
  return {
    reobservation:
      r === false
        ? undefined
        : { firstRetryMs: (r?.firstRetry ?? WORMHOLE_FIRST_RETRY_S) * 1000, giveUpAfterMs: (r?.giveUpAfter ?? WORMHOLE_GIVE_UP_S) * 1000 },
    batching: b === false || b === undefined ? undefined : { maxDelayMs: b.maxDelayMs ?? WORMHOLE_BATCH_DELAY_MS, maxSize: b.maxSize ?? WORMHOLE_BATCH_SIZE },
    heartbeatMs: section?.heartbeatMs ?? 1000,
    viewLagMs: section?.viewLagMs ?? DEFAULT_VIEW_LAG_MS,
    maxHeadSpread: section?.maxHeadSpread ?? DEFAULT_MAX_HEAD_SPREAD,
  };
}

/** The network options a scenario's section and seed give. */
export function guardianNetworkOptions(scenario: { guardianNetwork?: GuardianNetworkSection; seed: number }): GuardianBehaviour {
  const settings = guardianSettings(scenario.guardianNetwork);
  return { batching: settings.batching, reobservation: settings.reobservation, seed: scenario.seed };
}
