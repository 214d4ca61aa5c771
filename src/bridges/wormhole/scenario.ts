import { chains as sdkChains, type Chain } from "@wormhole-foundation/sdk-base";
import { z } from "zod";
import { CHAIN_MODES, evmChainNames, type ChainMode } from "../../../chains/profiles.ts";
import type { Scenario } from "../../load/scenario.ts";
import { integer } from "../../load/fields.ts";
import { guardianNetworkSection, type GuardianNetworkSection } from "./guardians/settings.ts";

export type Consistency = "instant" | "safe" | "finalized";

/** Wormhole consistency levels on EVM chains. */
export const CONSISTENCY_LEVEL: Record<Consistency, number> = { instant: 200, safe: 201, finalized: 1 };

export interface ChainSettings {
  /** Interval-mining block time, ms (local and fork modes). */
  blockTimeMs?: number;
  /** local (fresh anvil), fork (anvil --fork-url from the environment) or remote (existing dev node). [local] */
  mode?: ChainMode;
  /** Block a fork starts from (anvil --fork-block-number); fork mode only. [the origin's head] */
  forkBlock?: number;
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
  /**
   * The core's publishMessage fee in wei, on every chain (a decimal string for values past 2^53).
   * [0 where the core is installed; the chain's own fee where a core exists (fork, remote)]
   */
  messageFee?: number | string;
  /** The integration module (absolute once parsed; written relative to the scenario file). [the built-in liquidation pair] */
  integration?: string;
  /** How the guardians gossip, re-observe and report (guardians/settings.ts). [Wormhole's, see README] */
  guardianNetwork?: GuardianNetworkSection;
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

const FORK_BLOCK_HINT = "must be a block number (a whole number ≥ 0) of the chain the fork starts from";
const FEE_HINT = 'must be a whole number of wei, e.g. 0 or "1000000000000000" (a string for values past 2^53)';
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
        forkBlock: z.number({ error: FORK_BLOCK_HINT }).int({ error: FORK_BLOCK_HINT }).nonnegative({ error: FORK_BLOCK_HINT }).optional(),
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
  messageFee: z
    .union(
      [
        z.number().int({ error: FEE_HINT }).nonnegative({ error: FEE_HINT }).max(Number.MAX_SAFE_INTEGER, { error: FEE_HINT }),
        z.string().regex(/^\d+$/, { error: FEE_HINT }),
      ],
      { error: FEE_HINT },
    )
    .optional(),
  // No default: a scenario without it parses (and hashes) as before, and runs the built-in integration.
  integration: z.string({ error: 'must be the path of an integration module, e.g. "./my-integration.ts"' }).min(1).optional(),
  guardianNetwork: guardianNetworkSection,
});

/** The scenario's message fee in wei, when it sets one. */
export function scenarioMessageFee(scenario: Pick<WormholeSettings, "messageFee">): bigint | undefined {
  return scenario.messageFee === undefined ? undefined : BigInt(scenario.messageFee);
}

/** Problems of `forkBlock` settings that the field alone cannot show: one on a chain that is not forked. */
export function forkBlockProblems(chains: WormholeSettings["chains"]): Array<{ chain: Chain; forkBlock: number; allowed: string }> {
  return Object.entries(chains).flatMap(([chain, settings]) =>
    settings?.forkBlock !== undefined && (settings.mode ?? "local") !== "fork"
      ? [
          {
            chain: chain as Chain,
            forkBlock: settings.forkBlock,
            allowed: `is for a forked chain, and ${chain} is in ${settings.mode ?? "local"} mode; set its "mode" to "fork" (or --chain-mode ${chain}=fork) or remove "forkBlock"`,
          },
        ]
      : [],
  );
}

/**
 * Applies a command-line chain setting to the scenario's `chains`: `--chain-mode CHAIN=MODE` or
 * `--fork-block CHAIN=N`. Throws an error that names the flag and the fix.
 */
export function applyChainFlag(scenario: WormholeScenario, flag: "chain-mode" | "fork-block", setting: string): void {
  const [chain = "", value = ""] = setting.split("=");
  const settings: ChainSettings = {};
  if (flag === "chain-mode") {
    if (!chain || !(CHAIN_MODES as readonly string[]).includes(value)) {
      throw new Error(`--chain-mode ${setting}: write CHAIN=MODE with MODE one of ${CHAIN_MODES.join(", ")}, e.g. Ethereum=fork`);
    }
    settings.mode = value as ChainMode;
  } else {
    if (!chain || !/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw new Error(`--fork-block ${setting}: write CHAIN=N with N a block number (a whole number ≥ 0), e.g. Ethereum=21000000`);
    }
    settings.forkBlock = Number(value);
  }
  const inRun = scenario.routes.some((r) => r.from === chain || r.to.includes(chain as Chain));
  if (!inRun) throw new Error(`--${flag} ${setting}: ${chain} is not in the scenario's routes`);
  const chains = scenario.chains;
  chains[chain as Chain] = { ...chains[chain as Chain], ...settings };
}
