import { heightSpread, type CosmosLocalnet } from "../../../chains/cosmos.ts";
import { ensureGoTool } from "../../../chains/tools.ts";
import { Toxiproxy } from "../../../chains/toxiproxy.ts";
import { FaultRunner } from "../../engine/faultRunner.ts";
import { LOCALNET_FAULTS } from "./faults/index.ts";
import type { LocalnetFaultTargets } from "./faults/targets.ts";
import type { CosmosScenario } from "./scenario.ts";
import { seededRandom } from "../../infra/random.ts";
import type { Ledger } from "../../measure/ledger.ts";
import { toHex, type Hex } from "viem";
import { encodeTrigger, positionIdOf } from "../../load/payload.ts";
import { CheckTxError } from "./senders.ts";
import type { PlannedMessage } from "../../load/schedule.ts";
import { triggerDeadlineMs } from "../../engine/bridge.ts";
import { now } from "../../infra/clock.ts";
import type { RunRecorder } from "../../report/runReport.ts";
import type { DropReason } from "../../measure/dropReasons.ts";
import { messageOf } from "../../infra/errors.ts";

/** How often validator heights are read for the height skew and halt detection. */
const SAMPLE_EVERY_MS = 250;

/**
 * What a run watches on its Cosmos localnets besides messages: the validators' height skew
 * (per stage, for the desync criterion), a chain that stops making blocks (`chain-halted`
 * and `chain-resumed` in events.csv), and the fault timeline (validators-offline).
 */
export class LocalnetMonitor {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private faults: FaultRunner<LocalnetFaultTargets> | undefined;
  private readonly last = new Map<string, { height: number; changedAt: number; halted: boolean }>();
  /** A chain counts as halted after this long without a new block. */
  private readonly haltAfterMs: number;

  constructor(
    private readonly nets: CosmosLocalnet[],
    private readonly scenario: CosmosScenario,
  ) {
    this.haltAfterMs = Math.max(3000, 6 * scenario.cosmos.blockTimeMs);
  }

  start(ledger: Ledger, recorder: RunRecorder): void {
    const faults = new FaultRunner<LocalnetFaultTargets>(
      this.scenario.faults,
      LOCALNET_FAULTS,
      { localnets: new Map(this.nets.map((n) => [n.options.chainId, n])) },
      ledger,
      seededRandom(this.scenario.seed ^ 0x5eed),
    );
    this.faults = faults;
    recorder.faultEvents = faults.events;
    faults.start();
    // Samples from the run clock's start, so none is stamped before stage 0.
    ledger.whenStarted(() => this.sample(ledger, recorder, faults));
  }

  private sample(ledger: Ledger, recorder: RunRecorder, faults: FaultRunner<LocalnetFaultTargets>): void {
    if (this.stopped) return;
    let busy = false;
    this.timer = setInterval(() => {
      if (busy) return;
      busy = true;
      const at = ledger.elapsed();
      void Promise.all(this.nets.map(async (net) => ({ net, heights: await net.heights() })))
        .then((samples) => {
          let skew = 0;
          for (const { net, heights } of samples) {
            skew = Math.max(skew, heightSpread(heights));
            const up = heights.filter((h): h is number => h !== undefined);
            this.track(net.options.chainId, up.length ? Math.max(...up) : undefined, at, faults);
          }
          recorder.stats.addHeightSkew(at, skew);
        })
        .finally(() => (busy = false));
    }, SAMPLE_EVERY_MS);
  }

  /** Chains halted right now, with how long they have been, for drop reasons. */
  halted(): string[] {
    return [...this.last].filter(([, s]) => s.halted).map(([chain, s]) => `${chain} made no block after height ${s.height}`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.faults?.stop();
  }

  private track(chain: string, height: number | undefined, at: number, faults: FaultRunner<LocalnetFaultTargets>): void {
    const state = this.last.get(chain);
    if (!state) {
      if (height !== undefined) this.last.set(chain, { height, changedAt: at, halted: false });
      return;
    }
    if (height !== undefined && height > state.height) {
      if (state.halted)
        faults.events.push({
          at,
          event: "chain-resumed",
          kind: "chain",
          fault: `${chain}: block ${height} after ${((at - state.changedAt) / 1000).toFixed(1)} s without one`,
        });
      Object.assign(state, { height, changedAt: at, halted: false });
    } else if (!state.halted && at - state.changedAt > this.haltAfterMs) {
      state.halted = true;
      faults.events.push({
        at,
        event: "chain-halted",
        kind: "chain",
        fault: `${chain}: no block after height ${state.height} for ${((at - state.changedAt) / 1000).toFixed(1)} s`,
      });
    }
  }
}

/** Messages still in flight when the drain ends on a halted chain are dropped as such. */
export function dropWhileHalted(ledger: Ledger, halted: string[]): void {
  if (!halted.length) return;
  const reason: DropReason = { code: "chain-halted", detail: halted.join("; ") };
  for (const record of [...ledger.inFlightRecords()]) ledger.refused(record.id, now(), reason);
}

/** A fault proxy for the localnets' p2p links, when the scenario cuts validators off. */
export async function p2pProxyFor(scenario: CosmosScenario): Promise<Toxiproxy | undefined> {
  if (!scenario.faults.some((f) => f.kind === "validators-partition")) return undefined;
  await ensureGoTool("toxiproxy-server");
  return Toxiproxy.launch();
}

/** Memo prefix of a trigger on the Cosmos paths; the rest is the v1 payload in hex. */
export const MEMO_PREFIX = "bridge-stress:v1:";

/** The trigger of a planned message as a memo (the same v1 payload the EVM path publishes), with its deadline. */
export function triggerMemo(scenario: CosmosScenario, ledger: Ledger, m: PlannedMessage): { memo: string; deadlineMs: number } {
  const deadlineMs = triggerDeadlineMs(scenario, ledger, m);
  const payload = encodeTrigger({
    triggerId: BigInt(m.id),
    kind: m.kind,
    positionId: positionIdOf(m.positionSalt),
    account: "0x000000000000000000000000000000000000dEaD",
    price: 2_000n * 10n ** 8n,
    deadlineMs: BigInt(deadlineMs),
    destinationChain: 0,
  });
  return { memo: `${MEMO_PREFIX}${toHex(payload).slice(2)}`, deadlineMs };
}

/**
 * Records what became of a CosmJS send: accepted (then `pending` waits for it in a block),
 * refused in CheckTx (dropped now, with the node's reason), or failed otherwise.
 */
export function recordSend(
  sending: Promise<string>,
  ledger: Ledger,
  pending: Map<string, { id: number; deadlineMs: number }>,
  id: number,
  deadlineMs: number,
  sentAt: number,
): Promise<void> {
  return sending.then(
    (hash) => {
      pending.set(hash, { id, deadlineMs });
      ledger.sent(id, sentAt, `0x${hash.toLowerCase()}` as Hex);
    },
    (err) => {
      if (err instanceof CheckTxError) ledger.refused(id, sentAt, err.dropReason);
      else ledger.sendFailed(id, sentAt, messageOf(err));
    },
  );
}

/** Each validator's RPC, named `<chain id>/val<k>`, for the manifest. */
export function localnetEndpoints(nets: Array<CosmosLocalnet | undefined>): Record<string, string> {
  return Object.fromEntries(nets.flatMap((net) => net?.validators.map((v) => [`${net.options.chainId}/val${v.index}`, v.rpcUrl]) ?? []));
}

/** Process ids of the localnets' validators and of the other processes given. */
export function localnetPids(nets: Array<CosmosLocalnet | undefined>, others: Array<{ pid?: number } | undefined>): number[] {
  return [...nets.flatMap((net) => net?.validators ?? []), ...others].flatMap((p) => (p?.pid ? [p.pid] : []));
}
