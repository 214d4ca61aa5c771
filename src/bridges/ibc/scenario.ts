import { z } from "zod";
import { cosmosSettings, type CosmosScenario } from "../localnets/scenario.ts";

/** The IBC path of the `ibc` bridge: a second localnet like `cosmos`, and rly between them. */
export interface IbcSettings {
  /** Chain id of the destination localnet (the source is `cosmos.chainId`). */
  destinationChainId: string;
  /** rly preset in fixtures/relayers/rly/. */
  relayer: string;
  /** ICS-20 packet timeout after the send, ms: a packet not received by then is dropped as ibc-timeout. */
  timeoutMs: number;
}

/** A scenario of the ibc bridge. */
export type IbcScenario = CosmosScenario & { ibc: IbcSettings };

/** The section's schema: the source localnet (`cosmos`) and the path (`ibc`). */
export const ibcSection = z.object({
  cosmos: cosmosSettings,
  ibc: z
    .strictObject({
      destinationChainId: z
        .string()
        .regex(/^[a-z][a-z0-9-]{1,40}$/, { error: 'must be a chain id like "stress-b" (lower-case letters, digits, dashes)' })
        .default("stress-b"),
      relayer: z.string({ error: "must be an rly preset name from fixtures/relayers/rly/" }).default("default"),
      timeoutMs: z.number({ error: "must be a number of ms ≥ 1" }).min(1, { error: "must be a number of ms ≥ 1" }).default(60_000),
    })
    .default({ destinationChainId: "stress-b", relayer: "default", timeoutMs: 60_000 }),
});
