import { z } from "zod";
import type { Scenario } from "../../load/scenario.ts";
import { integer } from "../../load/fields.ts";

/** The Cosmos localnet of the `cosmos` bridge (and the source chain of `ibc`). */
export interface CosmosSettings {
  chainId: string;
  /** Validators, each its own process. */
  validators: number;
  /** CometBFT timeout_commit, ms. */
  blockTimeMs: number;
  /** Sender accounts (each with its own sequence). */
  accounts: number;
  /** Validator height skew (blocks) above which a stage fails the desync criterion. */
  maxHeightSkew: number;
  /** x/auth max_memo_characters: the trigger memo takes 193. */
  maxMemoCharacters: number;
  /** CometBFT mempool size, transactions. */
  mempoolSize: number;
}

/** A scenario of a bridge that runs on Cosmos localnets (cosmos, ibc). */
export type CosmosScenario = Scenario & { cosmos: CosmosSettings };

const COSMOS_DEFAULTS = { chainId: "stress-a", validators: 4, blockTimeMs: 500, accounts: 8, maxHeightSkew: 3, maxMemoCharacters: 4096, mempoolSize: 5000 };

/** The `cosmos` section's schema. */
export const cosmosSettings = z
  .strictObject({
    chainId: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,40}$/, { error: 'must be a chain id like "stress-a" (lower-case letters, digits, dashes)' })
      .default(COSMOS_DEFAULTS.chainId),
    validators: integer(1, 10).default(COSMOS_DEFAULTS.validators),
    blockTimeMs: z.number({ error: "must be a number of ms from 50 to 10000" }).min(50).max(10_000).default(COSMOS_DEFAULTS.blockTimeMs),
    accounts: integer(1, 50).default(COSMOS_DEFAULTS.accounts),
    maxHeightSkew: integer(1, 1000).default(COSMOS_DEFAULTS.maxHeightSkew),
    maxMemoCharacters: integer(1, 1_000_000).default(COSMOS_DEFAULTS.maxMemoCharacters),
    mempoolSize: integer(1, 1_000_000).default(COSMOS_DEFAULTS.mempoolSize),
  })
  .default(COSMOS_DEFAULTS);
