import type { CosmosLocalnet } from "../../chains/cosmos.ts";
import { ensureGoTool } from "../../chains/tools.ts";
import { Toxiproxy } from "../../chains/toxiproxy.ts";
import { FaultRunner } from "../faults/faultRunner.ts";
import type { Scenario } from "../load/scenario.ts";
import { seededRandom } from "../load/schedule.ts";
import type { Ledger } from "../measure/ledger.ts";
import { now } from "../measure/clock.ts";
import type { RunRecorder } from "../report/runReport.ts";

/** How often validator heights are read for the height skew and halt detection. */
const SAMPLE_EVERY_MS = 250;

/**
 * What a run watches on its Cosmos localnets besides messages: the validators' height skew
 * (per stage, for the desync criterion), a chain that stops making blocks (`chain-halted`
 * and `chain-resumed` in events.csv), and the fault timeline (validators-offline).
 */
export class LocalnetMonitor {
  private timer: NodeJS.Timeout | undefined;
  private faults: FaultRunner | undefined;
  private readonly last = new Map<string, { height: number; changedAt: number; halted: boolean }>();
  /** A chain counts as halted after this long without a new block. */
  private readonly haltAfterMs: number;

  constructor(
    private readonly nets: CosmosLocalnet[],
    private readonly scenario: Scenario,
  ) {
    this.haltAfterMs = Math.max(3000, 6 * scenario.cosmos.blockTimeMs);
  }

  start(ledger: Ledger, recorder: RunRecorder): void {
    const faults = new FaultRunner(this.scenario.faults, { localnets: new Map(this.nets.map((n) => [n.options.chainId, n])) }, ledger, seededRandom(this.scenario.seed ^ 0x5eed));
    this.faults = faults;
    recorder.faultEvents = faults.events;
    faults.start();
    let busy = false;
    this.timer = setInterval(() => {
      if (busy) return;
      busy = true;
      const at = ledger.elapsed();
      void Promise.all(this.nets.map(async (net) => ({ net, heights: await net.heights() })))
        .then((samples) => {
          let skew = 0;
          for (const { net, heights } of samples) {
            const up = heights.filter((h): h is number => h !== undefined);
            if (up.length) skew = Math.max(skew, Math.max(...up) - Math.min(...up));
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
    clearInterval(this.timer);
    await this.faults?.stop();
  }

  private track(chain: string, height: number | undefined, at: number, faults: FaultRunner): void {
    const state = this.last.get(chain);
    if (!state) {
      if (height !== undefined) this.last.set(chain, { height, changedAt: at, halted: false });
      return;
    }
    if (height !== undefined && height > state.height) {
      if (state.halted) faults.events.push({ at, event: "chain-resumed", kind: "chain", fault: `${chain}: block ${height} after ${((at - state.changedAt) / 1000).toFixed(1)} s without one` });
      Object.assign(state, { height, changedAt: at, halted: false });
    } else if (!state.halted && at - state.changedAt > this.haltAfterMs) {
      state.halted = true;
      faults.events.push({ at, event: "chain-halted", kind: "chain", fault: `${chain}: no block after height ${state.height} for ${((at - state.changedAt) / 1000).toFixed(1)} s` });
    }
  }
}

/** Messages still in flight when the drain ends on a halted chain are dropped as such. */
export function dropWhileHalted(ledger: Ledger, halted: string[]): void {
  if (!halted.length) return;
  const reason = `chain-halted: ${halted.join("; ")}`;
  for (const record of [...ledger.inFlightRecords()]) ledger.refused(record.id, now(), reason);
}

/** A fault proxy for the localnets' p2p links, when the scenario cuts validators off. */
export async function p2pProxyFor(scenario: Scenario): Promise<Toxiproxy | undefined> {
  if (!scenario.faults.some((f) => f.kind === "validators-partition")) return undefined;
  await ensureGoTool("toxiproxy-server");
  return Toxiproxy.launch();
}
