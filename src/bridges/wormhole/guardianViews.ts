import { z } from "zod";
import type { FaultCheckScenario, FaultProblem, FaultSpec } from "../../load/faultKinds.ts";
import type { Ledger } from "../../measure/ledger.ts";
import type { RunRecorder } from "../../report/runReport.ts";
import { viewLags, type OwnLink } from "./guardians/chainView.ts";
import type { GuardianNetwork } from "./guardians/guardianNetwork.ts";
import { guardianSettings } from "./guardians/settings.ts";
import type { WormholeScenario } from "./scenario.ts";

// The wiring of the guardians' chain views (guardians/chainView.ts) into a Wormhole run: which
// guardians get a poller of their own on a link of their own (from the scenario's rpc-* faults
// with a `guardians` selector, decided once at the start), their lags, and the heartbeats' head
// spread into the stage statistics.

/** The rpc-* faults' `guardians` field: the last n guardians, or a list of guardian indices. */
const SELECTOR = { error: "must be a count of guardians (the last ones, 1…19) or a list of guardian indices (0…18), e.g. 6 or [0, 4]" };
export const guardianSelector = z.union(
  [
    z.number(SELECTOR).int(SELECTOR).min(1, SELECTOR).max(19, SELECTOR),
    z.array(z.number(SELECTOR).int(SELECTOR).min(0, SELECTOR).max(18, SELECTOR), SELECTOR).min(1, SELECTOR).max(19, SELECTOR),
  ],
  SELECTOR,
);

export type GuardianSelector = z.infer<typeof guardianSelector>;

/** The guardian indices a selector picks from a set of `size`, ascending. */
export function selectedGuardians(selector: GuardianSelector, size: number): number[] {
  if (typeof selector === "number") return Array.from({ length: Math.min(selector, size) }, (_, i) => size - Math.min(selector, size) + i);
  return [...new Set(selector)].filter((g) => g < size).sort((a, b) => a - b);
}

/**
 * A selector must fit the guardian set, name no guardian twice, and go with a source chain:
 * guardians watch only the source chains (not the destinations, not the VAA API).
 */
export function checkGuardianSelector(
  fault: FaultSpec<{ target: string; guardians?: GuardianSelector }>,
  field: string,
  scenario: FaultCheckScenario,
  problem: FaultProblem,
): void {
  const selector = fault.guardians;
  if (selector === undefined) return;
  const { guardians } = scenario as FaultCheckScenario & { guardians: number };
  const where = `${field}.guardians`;
  if (typeof selector === "number" && selector > guardians)
    problem(["faults", "guardians"], where, selector, `must be at most the guardian set size (${guardians})`);
  if (Array.isArray(selector)) {
    const out = selector.filter((g) => g >= guardians);
    if (out.length) problem(["faults", "guardians"], where, selector, `must be indices of the guardian set, 0…${guardians - 1} (${out.join(", ")} are not)`);
    else if (new Set(selector).size < selector.length) problem(["faults"], where, selector, "must name each guardian once");
  }
  const sources = [...new Set(scenario.routes.map((r) => r.from))];
  if (!sources.includes(fault.target)) {
    problem(
      ["faults", "routes", "bridge"],
      `${field}.target`,
      fault.target,
      `must be a source chain of the routes (${sources.join(", ")}) when \`guardians\` is set: guardians watch only the source chains; drop \`guardians\` to fault everyone's link`,
    );
  }
}

/** Guardians that share one own link to a chain, and the fault-proxy proxy it goes through. */
export interface GuardianLink {
  chain: string;
  guardians: number[];
  /** The fault proxy's name for this link. */
  proxy: string;
}

type SelectingFault = FaultSpec<{ target?: string; guardians?: GuardianSelector }>;

/**
 * The own links a scenario's faults need: on each chain, the guardians some rpc-* fault selects,
 * grouped by the exact set of faults that select them (one link and one poller per group, so
 * two faults selecting overlapping guardians each reach exactly theirs).
 */
export function planGuardianLinks(faults: SelectingFault[], guardians: number): GuardianLink[] {
  const links: GuardianLink[] = [];
  const chains = [...new Set(faults.flatMap((f) => (f.guardians !== undefined && f.target ? [f.target] : [])))];
  for (const chain of chains) {
    const groups = new Map<string, number[]>();
    for (let g = 0; g < guardians; g++) {
      const by = faults.flatMap((f, i) =>
        f.target === chain && f.guardians !== undefined && selectedGuardians(f.guardians, guardians).includes(g) ? [i] : [],
      );
      if (by.length) groups.set(by.join(","), [...(groups.get(by.join(",")) ?? []), g]);
    }
    for (const members of groups.values()) links.push({ chain, guardians: members, proxy: `${chain}-guardians-${members.join("_")}` });
  }
  return links;
}

/**
 * The proxies a link fault acts on: without `guardians`, its target's and every own link to the
 * target (it reaches every guardian, as before own links); with it, the own links of exactly
 * those guardians.
 */
export function faultProxies(links: GuardianLink[] | undefined, fault: SelectingFault & { target: string }, guardians: number): string[] {
  if (fault.guardians === undefined) return [fault.target, ...(links ?? []).filter((l) => l.chain === fault.target).map((l) => l.proxy)];
  const selected = new Set(selectedGuardians(fault.guardians, guardians));
  const mine = (links ?? []).filter((l) => l.chain === fault.target && l.guardians.every((g) => selected.has(g)));
  if (!mine.length) throw new Error(`no own guardian link for ${fault.kind} on ${fault.target}: the links are planned from the scenario's faults at the start`);
  return mine.map((l) => l.proxy);
}

/** What EvmStack takes for the guardians' views of a scenario. */
export function viewStackOptions(scenario: WormholeScenario): { guardianLinks: GuardianLink[]; guardianViews: { lagsMs: number[]; heartbeatMs: number } } {
  const settings = guardianSettings(scenario.guardianNetwork);
  return {
    guardianLinks: planGuardianLinks(scenario.faults as SelectingFault[], scenario.guardians),
    guardianViews: { lagsMs: viewLags(scenario.seed, scenario.guardians, settings.viewLagMs), heartbeatMs: settings.heartbeatMs },
  };
}

/** Opens each own link's proxy (`proxied(name, chain)` gives its URL) and names its chain by Wormhole chain id. */
export async function openGuardianLinks(
  links: GuardianLink[],
  proxied: (name: string, chain: string) => Promise<string>,
  wormholeChainId: (chain: string) => number,
): Promise<OwnLink[]> {
  const open: OwnLink[] = [];
  for (const link of links)
    open.push({ wormholeChainId: wormholeChainId(link.chain), guardians: link.guardians, rpcUrl: await proxied(link.proxy, link.chain) });
  return open;
}

/** Records each heartbeat's head spread (the largest over the source chains) in the stage it falls in, as height_skew_max. */
export function recordHeadSpread(network: GuardianNetwork, ledger: Ledger, recorder: RunRecorder): void {
  // From the run clock's start, so no beat is stamped before stage 0.
  ledger.whenStarted(() => {
    network.views.onHeartbeat = (beat) => recorder.stats.addHeightSkew(ledger.elapsed(beat.at), beat.spread);
  });
}
