import type { Chain } from "@wormhole-foundation/sdk-base";
import { type AnvilHistory, anvilHistory } from "../../../chains/anvil.ts";
import type { ChainProfile } from "../../../chains/profiles.ts";
import type { PathResources } from "../../engine/bridge.ts";
import { guardianSettings } from "./guardians/settings.ts";
import type { WormholeScenario } from "./scenario.ts";
import type { EvmStack } from "./stack.ts";

/**
 * After a fault heals, how long the guardians and watchers behind it may take to read the logs of
 * the blocks they missed, and after a re-observation request comes due, how long until the
 * guardians' sweep serves it: the chains keep that much more than the fault or the request needs.
 */
const CATCH_UP_MS = 60_000;

/**
 * What each of a run's anvils keeps of its past (chains/anvil.ts anvilHistory): states for its
 * deepest scheduled reorg (and, on a source, the drain's replay of reverted sends), and transactions far enough back for whoever looks them up on it: on a
 * source chain the guardians' first re-observation request (firstRetry after a message's first
 * observation; only when a fault is scheduled) and the drain's reverted-send check; on every chain the catch-up after the
 * longest fault (a guardian or watcher cut off reads the logs of the blocks it missed) and the
 * relayers' receipts (seconds). A later re-observation request, or a send reverted, longer ago
 * than that finds no transaction (README "Long runs").
 */
export function chainHistory(scenario: WormholeScenario, sources: readonly Chain[]): (profile: ChainProfile) => AnvilHistory {
  const reobservation = guardianSettings(scenario.guardianNetwork).reobservation;
  const longestFaultMs = Math.max(0, ...scenario.faults.map((f) => f.forS * 1000));
  return (profile) => {
    const deepestReorg = Math.max(0, ...scenario.faults.map((f) => (f.kind === "reorg" && f.target === profile.name ? Number(f.depth) : 0)));
    const source = sources.includes(profile.name);
    // Without a fault every guardian observes every message: nothing is re-observed.
    const reobserved = source && reobservation && scenario.faults.length > 0 ? reobservation.firstRetryMs : 0;
    return anvilHistory({ blockTimeMs: profile.blockTimeMs, deepestReorg, lookBackMs: Math.max(reobserved, longestFaultMs) + CATCH_UP_MS, source });
  };
}

/** The run's processes by name (each local chain's anvil by its chain's name, the relayer when it runs as its own process) and the blocks' lateness since the last call. */
export function chainResources(stack: EvmStack): PathResources {
  const processes: Record<string, number> = {};
  for (const [name, c] of stack.chains) if (c.anvil?.pid) processes[name] = c.anvil.pid;
  const relayerPid = stack.relayerProcess?.pid;
  if (relayerPid) processes.relayer = relayerPid;
  const lateness = stack.blockClock?.takeLateness() ?? new Map<string, number[]>();
  const blockLateness: Record<string, number[]> = {};
  for (const [name, c] of stack.chains) {
    const late = lateness.get(c.rpcUrl);
    if (late) blockLateness[name] = late;
  }
  return { processes, blockLateness };
}
