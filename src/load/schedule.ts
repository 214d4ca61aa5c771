import type { Chain } from "@wormhole-foundation/sdk-base";
import type { TriggerKind } from "../bridge/payload.ts";
import type { Scenario, StageConfig } from "./scenario.ts";

/** One message the schedule offers. */
export interface PlannedMessage {
  /** 1-based, unique in the run; becomes the trigger id. */
  id: number;
  stage: number;
  /** Intended send time, ms from the run's start. */
  intendedAt: number;
  kind: TriggerKind;
  source: Chain;
  destination: Chain;
  /** Seeded 32-byte position id (hex). */
  positionSalt: number;
}

/** Small seeded PRNG (mulberry32): same seed, same sequence, on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Messages a stage offers: its mean rate times its length. */
export function stageMessageCount(stage: StageConfig): number {
  return Math.round(((stage.startRate + stage.rate) / 2) * stage.durationS);
}

/**
 * When message k of a stage is due, ms after the stage's start. The rate goes linearly
 * from startRate (r0) to rate (r1) over T seconds, so k messages are due once
 * r0·t + (r1 − r0)·t²/(2T) = k.
 */
export function offsetOfMessage(stage: StageConfig, k: number): number {
  const a = stage.startRate;
  const b = (stage.rate - stage.startRate) / stage.durationS;
  const seconds = Math.abs(b) < 1e-12 ? k / a : (-a + Math.sqrt(a * a + 2 * b * k)) / b;
  return seconds * 1000;
}

/** Start of each stage, ms from the run's start. */
export function stageStarts(scenario: Pick<Scenario, "stages">): number[] {
  let at = 0;
  return scenario.stages.map((s) => {
    const start = at;
    at += s.durationS * 1000;
    return start;
  });
}

/**
 * The run's messages in intended-time order. Open model: message k of a stage is meant
 * to leave at stageStart + k / rate, whatever happened to earlier messages.
 * Generated lazily, so a long run never holds its whole schedule in memory.
 */
export function* schedule(scenario: Scenario): Generator<PlannedMessage> {
  const random = seededRandom(scenario.seed);
  const pairs = scenario.routes.flatMap((r) => r.to.map((destination) => ({ source: r.from, destination })));
  const kinds = Object.entries(scenario.mix).filter(([, w]) => w > 0) as Array<[TriggerKind, number]>;
  const totalWeight = kinds.reduce((sum, [, w]) => sum + w, 0);
  const pickKind = (): TriggerKind => {
    let x = random() * totalWeight;
    for (const [kind, weight] of kinds) if ((x -= weight) < 0) return kind;
    return kinds.at(-1)![0];
  };
  const starts = stageStarts(scenario);
  let id = 0;
  for (const [stage, config] of scenario.stages.entries()) {
    const count = stageMessageCount(config);
    for (let k = 0; k < count; k++) {
      const pair = pairs[Math.floor(random() * pairs.length)]!;
      yield {
        id: ++id,
        stage,
        intendedAt: starts[stage]! + offsetOfMessage(config, k),
        kind: pickKind(),
        ...pair,
        positionSalt: Math.floor(random() * 2 ** 32),
      };
    }
  }
}
