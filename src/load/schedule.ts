import type { TriggerKind } from "../measure/kinds.ts";
import type { Arrivals, Scenario, StageConfig } from "./scenario.ts";
import { seededRandom } from "../infra/random.ts";
import { stageStarts } from "../measure/stages.ts";

/** One message the schedule offers. */
export interface PlannedMessage {
  /** 1-based, unique in the run; becomes the trigger id. */
  id: number;
  stage: number;
  /** Intended send time, ms from the run's start. */
  intendedAt: number;
  kind: TriggerKind;
  /** The route's chain names, as the bridge gives them. */
  source: string;
  destination: string;
  /** Seeded 32-byte position id (hex). */
  positionSalt: number;
}

/** Messages a stage offers: its mean rate times its length. */
export function stageMessageCount(stage: StageConfig): number {
  return Math.round(((stage.startRate + stage.rate) / 2) * stage.durationS);
}

/**
 * When message k of a stage is due, ms after the stage's start. The rate goes linearly
 * from startRate (r0) to rate (r1) over T seconds, so k messages are due once
 * r0·t + (r1 − r0)·t²/(2T) = k. (k need not be whole: Poisson arrivals pass a running sum
 * of exponential draws.)
 */
export function offsetOfMessage(stage: StageConfig, k: number): number {
  const a = stage.startRate;
  const b = (stage.rate - stage.startRate) / stage.durationS;
  const seconds = Math.abs(b) < 1e-12 ? k / a : (-a + Math.sqrt(Math.max(0, a * a + 2 * b * k))) / b;
  return seconds * 1000;
}

/** Seed of the arrival-time stream, beside the scenario's seed (kinds, routes, positions). */
const ARRIVALS_SEED = 0xa221_7a15;

/**
 * Arrival offsets of a stage, ms after its start. `even`: message k at offsetOfMessage(k),
 * k = 0 … round(mean rate × T) − 1. `poisson`: a Poisson process whose rate follows the
 * stage's (linear) rate, by time rescaling: the cumulative sums S₁ < S₂ < … of unit
 * exponential draws (−ln(1 − u), u from `random`) are the arrivals of a rate-1 process,
 * and each maps to the time its stage's cumulative rate reaches Sᵢ — offsetOfMessage(Sᵢ) —
 * until Sᵢ passes the stage's expected count, mean rate × T. The count is then Poisson
 * with that mean, and the gaps at a constant rate exponential (coefficient of variation 1).
 */
export function* arrivalOffsets(stage: StageConfig, arrivals: Arrivals, random: () => number): Generator<number> {
  if (arrivals === "even") {
    const count = stageMessageCount(stage);
    for (let k = 0; k < count; k++) yield offsetOfMessage(stage, k);
    return;
  }
  const expected = ((stage.startRate + stage.rate) / 2) * stage.durationS;
  // Unit exponential gaps, summed: each sum is where the stage's cumulative rate reaches the next arrival.
  const gap = () => -Math.log(1 - random());
  for (let sum = gap(); sum <= expected; sum += gap()) yield offsetOfMessage(stage, sum);
}

/**
 * Makes the messages of stages one after another from one seeded random stream: kinds by
 * the mix's weights, routes uniformly over the scenario's source → destination pairs.
 * Poisson arrival times come from a second stream of the same seed, so the n-th message's
 * kind, route and position are the same whichever arrivals a stage uses.
 */
export class MessageFactory {
  private readonly random: () => number;
  private readonly arrivalRandom: () => number;
  private readonly arrivals: Arrivals;
  private readonly pairs: Array<{ source: string; destination: string }>;
  private readonly kinds: Array<[TriggerKind, number]>;
  private readonly totalWeight: number;
  private lastId = 0;

  constructor(scenario: Pick<Scenario, "seed" | "routes" | "mix"> & { arrivals?: Arrivals }) {
    this.random = seededRandom(scenario.seed);
    this.arrivalRandom = seededRandom(scenario.seed ^ ARRIVALS_SEED);
    this.arrivals = scenario.arrivals ?? "even";
    this.pairs = scenario.routes.flatMap((r) => r.to.map((destination) => ({ source: r.from, destination })));
    this.kinds = Object.entries(scenario.mix).filter(([, w]) => w > 0) as Array<[TriggerKind, number]>;
    this.totalWeight = this.kinds.reduce((sum, [, w]) => sum + w, 0);
  }

  /** Open model: each message of the stage is due at startAt + its arrival offset, whatever happened to earlier messages. */
  *stage(stage: number, config: StageConfig, startAt: number): Generator<PlannedMessage> {
    for (const offset of arrivalOffsets(config, config.arrivals ?? this.arrivals, this.arrivalRandom)) {
      const pair = this.pairs[Math.floor(this.random() * this.pairs.length)]!;
      yield {
        id: ++this.lastId,
        stage,
        intendedAt: startAt + offset,
        kind: this.pickKind(),
        ...pair,
        positionSalt: Math.floor(this.random() * 2 ** 32),
      };
    }
  }

  private pickKind(): TriggerKind {
    let x = this.random() * this.totalWeight;
    for (const [kind, weight] of this.kinds) if ((x -= weight) < 0) return kind;
    return this.kinds.at(-1)![0];
  }
}

/**
 * The run's messages in intended-time order, stage after stage. Generated lazily, so a
 * long run never holds its whole schedule in memory.
 */
export function* schedule(scenario: Scenario): Generator<PlannedMessage> {
  const factory = new MessageFactory(scenario);
  const starts = stageStarts(scenario);
  for (const [stage, config] of scenario.stages.entries()) yield* factory.stage(stage, config, starts[stage]!);
}
