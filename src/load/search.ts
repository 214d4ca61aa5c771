import { setTimeout as sleep } from "node:timers/promises";
import type { Ledger } from "../measure/ledger.ts";
import { now } from "../infra/clock.ts";
import type { StageJudgement } from "../measure/capacity.ts";
import { dispatch } from "./dispatcher.ts";
import { MessageFactory, type PlannedMessage } from "./schedule.ts";
import type { Scenario, SearchConfig, StageConfig } from "./scenario.ts";

export interface SearchContext {
  scenario: Scenario & { search: SearchConfig };
  ledger: Ledger;
  /** Counts the run's messages and judges each probe once (the report keeps that judgement). */
  recorder: { judge(stage: number): StageJudgement };
  send: (message: PlannedMessage) => void;
  signal: AbortSignal;
  /** Receives each probe as it starts; they become the run's stages. */
  probes: StageConfig[];
  progress: (line: string) => void;
}

/**
 * Capacity search (ramp-to-knee): probes rising rates (× factor, or + step) until a probe
 * fails the capacity criteria, then bisects between the last pass and the first failure
 * `refine` times. Each probe is judged once, when its own messages have finished or its
 * cooldown ran out (which leaves them counted as undelivered); the report keeps that
 * judgement. A probe a fault overlapped decides nothing and is made again at the same rate;
 * a harness-limited one (not-sent messages) bounds the search from above like a failure,
 * though it is not the bridge's.
 */
export async function searchCapacity(ctx: SearchContext): Promise<void> {
  const { search } = ctx.scenario;
  const factory = new MessageFactory(ctx.scenario);
  let lastPass: number | undefined;
  let firstFail: number | undefined;
  for (let rate = search.from; rate <= search.max && !ctx.signal.aborted; rate = search.step ? rate + search.step : round(rate * search.factor)) {
    const passed = await decidedProbe(ctx, factory, rate);
    if (passed === undefined) break;
    if (passed) lastPass = rate;
    else {
      firstFail = rate;
      break;
    }
  }
  for (let i = 0; i < search.refine && firstFail !== undefined && !ctx.signal.aborted; i++) {
    const low = lastPass ?? 0;
    const mid = round((low + firstFail) / 2);
    if (mid <= low || mid >= firstFail) break;
    const passed = await decidedProbe(ctx, factory, mid);
    if (passed === undefined) break;
    if (passed) lastPass = mid;
    else firstFail = mid;
  }
}

/** Probes `rate` until a probe no fault overlapped decides it: passed, or not; undefined if the run was stopped first. */
async function decidedProbe(ctx: SearchContext, factory: MessageFactory, rate: number): Promise<boolean | undefined> {
  while (!ctx.signal.aborted) {
    const judgement = await probe(ctx, factory, rate);
    if (judgement.judgedAs !== "under-fault") return judgement.failed.length === 0;
  }
  return undefined;
}

function round(rate: number): number {
  return Math.round(rate * 10) / 10;
}

async function probe(ctx: SearchContext, factory: MessageFactory, rate: number): Promise<StageJudgement> {
  const { ledger, scenario } = ctx;
  const index = ctx.probes.length;
  // A short lead so the first message is not already late when the probe is planned.
  const config: StageConfig = { rate, startRate: rate, durationS: scenario.search.durationS, startAtMs: ledger.elapsed() + 50 };
  ctx.probes.push(config);
  ctx.progress(`probe ${index}: ${rate} msgs/s for ${config.durationS} s`);
  await dispatch(factory.stage(index, config, config.startAtMs!), ledger.startedAt, ctx.send, ctx.signal);

  const until = now() + scenario.search.cooldownS * 1000;
  while (now() < until && !ctx.signal.aborted && unfinished(ledger, index) > 0) await sleep(100);
  const judgement = ctx.recorder.judge(index);
  const { failed } = judgement;
  const verdict = failed.length ? `fails (${failed.join(", ")})` : "sustained";
  const under = judgement.judgedAs === "under-fault" ? ` under fault ${judgement.faults}: decides nothing, probing the rate again` : "";
  ctx.progress(`probe ${index}: ${rate} msgs/s ${verdict}${under}${judgement.judgedAs === "harness-limited" ? " (harness-limited: not-sent messages)" : ""}`);
  return judgement;
}

function unfinished(ledger: Ledger, stage: number): number {
  let n = 0;
  for (const r of ledger.inFlightRecords()) if (r.stage === stage) n++;
  return n;
}
