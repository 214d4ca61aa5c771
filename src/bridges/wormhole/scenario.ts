import { chains as sdkChains, type Chain } from "@wormhole-foundation/sdk-base";
import { z } from "zod";
import { CHAIN_MODES, evmChainNames, type ChainMode } from "../../../chains/profiles.ts";
import type { Scenario } from "../../load/scenario.ts";
import { integer } from "../../load/scenarioFields.ts";

export type Consistency = "instant" | "safe" | "finalized";

/** Wormhole consistency levels on EVM chains. */
export const CONSISTENCY_LEVEL: Record<Consistency, number> = { instant: 200, safe: 201, finalized: 1 };

export interface ChainSettings {
  /** Interval-mining block time, ms (local and fork modes). */
  blockTimeMs?: number;
  /** local (fresh anvil), fork (anvil --fork-url from the environment) or remote (existing dev node). [local] */
  mode?: ChainMode;
}

/** The Wormhole bridge's fields of a scenario (top level). */
export interface WormholeSettings {
  chains: Partial<Record<Chain, ChainSettings>>;
  routes: Array<{ from: Chain; to: Chain[] }>;
  /** Guardian set size; quorum is more than two thirds. */
  guardians: number;
  consistency: Consistency;
  /** Relayer preset in fixtures/relayers/. */
  relayer: string;
  /** Sender accounts per source chain. */
  senders: number;
  /** The integration module (absolute once parsed; written relative to the scenario file). [the built-in liquidation pair] */
  integration?: string;
}

/** A scenario of the wormhole bridge. */
export type WormholeScenario = Omit<Scenario, "routes"> & WormholeSettings;

function evmChain() {
  const evm = new Set<string>(evmChainNames());
  return z.string({ error: "must be a chain name, e.g. Ethereum" }).superRefine((v, ctx) => {
    if (evm.has(v)) return;
    const hint = (sdkChains as readonly string[]).includes(v) ? " (not an EVM chain)" : "";
    ctx.addIssue({ code: "custom", message: `must be an EVM chain the Wormhole SDK knows${hint}, e.g. Ethereum, Arbitrum, Base`, input: v });
  });
}

const ROUTES_HINT = 'must be a non-empty array like [{ "from": "Ethereum", "to": ["Arbitrum"] }]';
const chain = evmChain();

/** The section's schema: parsed when a scenario's `bridge` is "wormhole" (the default). */
export const wormholeSection = z.object({
  chains: z
    .record(
      chain,
      z.strictObject({
        blockTimeMs: z.number().positive({ error: "must be a number > 0" }).max(60_000).optional(),
        mode: z.enum(CHAIN_MODES, { error: `must be one of ${CHAIN_MODES.join(", ")}` }).optional(),
      }),
    )
    .default({}),
  routes: z
    .array(z.strictObject({ from: chain, to: z.array(chain).min(1, { error: "must be a non-empty array of chain names" }) }), { error: ROUTES_HINT })
    .min(1, { error: ROUTES_HINT })
    .superRefine((routes, ctx) => {
      routes.forEach((r, i) => {
        r.to.forEach((to, j) => {
          if (to === r.from) ctx.addIssue({ code: "custom", path: [i, "to", j], message: "must differ from the route's source chain", input: to });
        });
      });
    }),
  guardians: integer(1, 19).default(19),
  consistency: z.enum(["instant", "safe", "finalized"], { error: "must be one of instant, safe, finalized" }).default("instant"),
  relayer: z.string({ error: "must be a preset name from fixtures/relayers/" }).default("default"),
  senders: integer(1, 10).default(4),
  // No default: a scenario without it parses (and hashes) as before, and runs the built-in integration.
  integration: z.string({ error: 'must be the path of an integration module, e.g. "./my-integration.ts"' }).min(1).optional(),
});
