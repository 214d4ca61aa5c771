import type { Toxic } from "../../../../chains/toxiproxy.ts";
import type { FaultCheckScenario, FaultProblem, FaultSpec } from "../../../load/faultKinds.ts";
import type { Guardian } from "../guardians/guardian.ts";
import type { GuardianNetwork } from "../guardians/guardianNetwork.ts";
import type { WormholeFaultTargets } from "./targets.ts";
import { checkGuardianSelector, faultProxies, type GuardianSelector } from "../guardianViews.ts";

// What several Wormhole fault kinds share: which guardians a count hits, the checks on counts
// and targets, and the fault proxy's toxics.

/** The guardian network, or an error naming the kind that needed it. */
export function network(targets: WormholeFaultTargets, kind: string): GuardianNetwork {
  if (!targets.guardians) throw new Error(`${kind} needs the Wormhole guardian network`);
  return targets.guardians;
}

/** The last `count` guardians of the set: the same scenario always hits the same ones. */
export function lastGuardians(network: GuardianNetwork, count: number): Guardian[] {
  return network.guardians.slice(Math.max(0, network.guardians.length - count));
}

/** A guardian count (or split point) must be within the guardian set. */
export function checkGuardianCount(value: number | undefined, field: string, scenario: FaultCheckScenario, problem: FaultProblem): void {
  const { guardians } = scenario as FaultCheckScenario & { guardians: number };
  if (value !== undefined && value > guardians) {
    problem(["faults", "guardians"], field, value, `must be at most the guardian set size (${guardians})`);
  }
}

const ON_ROUTES = ["bridge", "faults", "routes", "cosmos", "ibc"];

/**
 * A fault's target must be a chain of the routes; a link fault may also target "vaa-api", and
 * a fault that rolls back published messages needs a source chain.
 */
export function checkTarget(
  fault: FaultSpec<{ target: string }>,
  field: string,
  scenario: FaultCheckScenario,
  problem: FaultProblem,
  allow: { vaaApi?: boolean; sourceOnly?: boolean } = {},
): void {
  const chains = new Set(scenario.routes.flatMap((r) => [r.from, ...r.to]));
  if (!chains.has(fault.target) && !(allow.vaaApi && fault.target === "vaa-api")) {
    const also = allow.vaaApi ? ' or "vaa-api"' : "";
    problem(ON_ROUTES, `${field}.target`, fault.target, `must be a chain of the routes (${[...chains].join(", ")})${also}`);
  } else if (allow.sourceOnly && !scenario.routes.some((r) => r.from === fault.target)) {
    const sources = [...new Set(scenario.routes.map((r) => r.from))].join(", ");
    problem(ON_ROUTES, `${field}.target`, fault.target, `must be a source chain of the routes (${sources}): a reorg rolls back published messages`);
  }
}

/**
 * Sets (`on`) or removes a toxic on `target`'s link through the fault proxy. Latency holds
 * requests (upstream): a transaction then reaches the node `ms` later, which is what delays a
 * delivery; holding only the answer would leave the transaction on time. The others act on answers.
 */
export async function setToxic(
  targets: WormholeFaultTargets,
  fault: LinkFault,
  on: boolean,
  toxic: Omit<Toxic, "name" | "stream"> & Partial<Pick<Toxic, "stream">>,
): Promise<undefined> {
  const proxy = targets.toxiproxy;
  if (!proxy) throw new Error("no fault proxy in this stack");
  const name = `${fault.kind}-${fault.atS}`;
  for (const target of linkProxies(targets, fault)) {
    if (!on) await proxy.removeToxic(target, name);
    else await proxy.addToxic(target, { stream: "downstream", ...toxic, name } as Toxic);
  }
  return undefined;
}

/** A fault on links through the fault proxy (the rpc-* kinds): its target, and optionally the guardians whose own links it hits. */
export type LinkFault = FaultSpec<{ target: string; guardians?: GuardianSelector }>;

/**
 * The fault-proxy proxies a link fault acts on: its target's (the shared poller and the relayer)
 * and the guardians' own links to it, or with `guardians` only those guardians' own links (guardianViews.ts).
 */
export function linkProxies(targets: WormholeFaultTargets, fault: LinkFault): string[] {
  return faultProxies(targets.guardianLinks, fault, targets.guardians?.guardians.length ?? 0);
}

/** The rpc-* kinds' checks: the target, and the `guardians` selector with it. */
export function checkLinkFault(fault: LinkFault, field: string, scenario: FaultCheckScenario, problem: FaultProblem): void {
  if (fault.guardians === undefined) return checkTarget(fault, field, scenario, problem, { vaaApi: true });
  checkGuardianSelector(fault, field, scenario, problem);
}

/** What the rpc-* kinds say of the selector in their `models`. */
export const GUARDIANS_SELECTED = "; with `guardians` (the last n, or a list of indices) only those guardians' own link to a source chain `target`";
