import { z } from "zod";
import { cosmosSettings } from "../localnets/scenario.ts";

/** The source of every message on the cosmos bridge (messages.csv's source_chain). */
export const COSMOS_SENDERS = "cosmjs";

/** The section's schema: the localnet the CosmJS senders write to. */
export const cosmosTxSection = z.object({ cosmos: cosmosSettings });
