import { setTimeout as sleep } from "node:timers/promises";
import type { Ledger } from "../measure/ledger.ts";
import { now } from "../measure/clock.ts";
import type { RunRecorder } from "../report/runReport.ts";
import { failedCriteria, type CapacityCriteria } from "../measure/capacity.ts";
import { dispatch } from "./dispatcher.ts";
import { MessageFactory, type PlannedMessage } from "./schedule.ts";
import type { Scenario, SearchConfig, StageConfig } from "./scenario.ts";

export interface SearchContext {
  scenario: Scenario & { search: SearchConfig };
  ledger: Ledger;
  /** Counts the run's messages; a probe is judged from its stage's figures. */
  recorder: RunRecorder;
  criteria: CapacityCriteria;
  send: (message: PlannedMessage) => void;
  signal: AbortSignal;
  /** Receives each probe as it starts; they become the run's stages. */
  probes: StageConfig[];
  progress: (line: string) => void;
}

/**
 * Capacity search (ramp-to-knee): probes rising rates (× factor, or + step) until a probe
 * fails the capacity criteria, then bisects between the last pass and the first failure
 * `refine` times. Each probe is judged after its own messages have finished (or the
 * cooldown ran out, which leaves them counted as undelivered).
 */
export async function searchCapacity(ctx: SearchContext): Promise<void> {
  const { search } = ctx.scenario;
  const factory = new MessageFactory(ctx.scenario);
  let lastPass: number | undefined;
  let firstFail: number | undefined;
  for (let rate = search.from; rate <= search.max && !ctx.signal.aborted; rate = search.step ? rate + search.step : round(rate * search.factor)) {
    if (await probe(ctx, factory, rate)) lastPass = rate;
    else {
      firstFail = rate;
      break;
    }
  }
  for (let i = 0; i < search.refine && firstFail !== undefined && !ctx.signal.aborted; i++) {
    const low = lastPass ?? 0;
    const mid = round((low + firstFail) / 2);
    if (mid <= low || mid >= firstFail) break;
    if (await probe(ctx, factory, mid)) lastPass = mid;
    else firstFail = mid;
  }
}

function round(rate: number): number {
  return Math.round(rate * 10) / 10;
}

async function probe(ctx: SearchContext, factory: MessageFactory, rate: number): Promise<boolean> {
  const { ledger, scenario } = ctx;
  const index = ctx.probes.length;
  // A short lead so the first message is not already late when the probe is planned.
  const config: StageConfig = { rate, startRate: rate, durationS: scenario.search.durationS, startAtMs: ledger.elapsed() + 50 };
  ctx.probes.push(config);
  ctx.progress(`probe ${index}: ${rate} msgs/s for ${config.durationS} s`);
  await dispatch(factory.stage(index, config, config.startAtMs!), ledger.startedAt, ctx.send, ctx.signal);

  const until = now() + scenario.search.cooldownS * 1000;
  while (now() < until && !ctx.signal.aborted && unfinished(ledger, index) > 0) await sleep(100);
  const { stats } = ctx.recorder;
  stats.setInFlight(ctx.recorder.samples);
  const summary = stats.stages[index]!;
  const failed = failedCriteria(summary, ctx.criteria);
  ctx.progress(`probe ${index}: ${rate} msgs/s ${failed.length ? `fails (${failed.join(", ")})` : "sustained"}`);
  return failed.length === 0;
}

function unfinished(ledger: Ledger, stage: number): number {
  let n = 0;
  for (const r of ledger.inFlightRecords()) if (r.stage === stage) n++;
  return n;
}
