import type { Scenario, ScenarioBridge } from "../load/scenario.ts";
import type { CapacityCriteria } from "../measure/capacity.ts";
import type { PlannedMessage } from "../load/schedule.ts";
import { now } from "../infra/clock.ts";
import type { Ledger } from "../measure/ledger.ts";
import type { HarnessLimits, RunRecorder } from "../report/runReport.ts";
import { BridgeStressError } from "../infra/errors.ts";

/** A relayer preset (reference relayer, outside relayer, rly) that does not exist or does not fit the bridge, or has a bad field. */
export class RelayerPresetError extends BridgeStressError {
  static override readonly code = "relayer-preset-invalid";
  static override readonly docs = "README.md#relayer-presets";
}

/**
 * One way trigger messages travel, with everything it runs: Wormhole between EVM chains,
 * CosmJS transactions into a Cosmos chain. The run drives it in this order: `start` (chains,
 * bridge, relayer), `attach` (watchers and faults against the run's ledger), `send` for
 * each planned message, `settle` after the drain, `stop` always.
 */
export interface DeliveryPath {
  /** What it starts, for the progress line. */
  readonly description: string;
  /** The harness's own observation limits on this path, printed next to every result. */
  readonly limits: HarnessLimits;
  /** Endpoints for the manifest (redacted there). */
  endpoints(): Record<string, string>;
  /** Versions of what it runs beyond npm packages (tools built by the setup step). */
  versions(): Record<string, string>;
  /** Further facts for manifest.json (top-level fields), e.g. the contracts it deployed; read after start. */
  manifest?(): Record<string, unknown>;
  start(): Promise<void>;
  /**
   * Measures the harness's own ceiling on this path (its per-message CPU work, one core)
   * into `limits`, before the load starts; every report states it next to the capacity.
   */
  measureCeiling(): Promise<void>;
  /**
   * Starts watching and the fault timeline. The run clock starts after it (Ledger.start, as
   * dispatch begins): whatever is timed on it waits for that (Ledger.whenStarted).
   */
  attach(ledger: Ledger, recorder: RunRecorder): Promise<void>;
  /**
   * Sends one planned message; resolves once the chain accepted or refused it (the ledger
   * records which), so the run can cap sends waiting on the node.
   */
  send(message: PlannedMessage): Promise<void>;
  /**
   * After the drain: heals faults, lets what is under way land and takes in everything up
   * to the head, so nothing delivered is judged lost. `complete` is false for an
   * interrupted run (then it only stops).
   */
  settle(complete: boolean): Promise<void>;
  /** Process ids of everything it runs as a process. */
  pids(): number[];
  /**
   * What the run's resource sampler reads about once a second (steps.csv's and resources.csv's
   * memory and block-lateness columns, and the memory guard): the processes it runs by name, and
   * its chains' block lateness. Without it those columns hold the harness alone.
   */
  resources?(): PathResources;
  stop(): Promise<void>;
}

/** The processes and chains of a delivery path, as the run's resource sampler reads them (the engine reads no chain itself). */
export interface PathResources {
  /** Pid of each process whose memory is watched, by name (a chain's by the chain's name). */
  processes: Record<string, number>;
  /** Each chain's block-interval lateness (a block's actual time − its scheduled time, ms) for the blocks made since the last call. */
  blockLateness: Record<string, number[]>;
}

/**
 * A bridge the engine can run, registered by name in src/bridges/index.ts: the engine knows a
 * bridge only through this (and the DeliveryPath it makes), never by importing its folder.
 * `S` is the bridge's own scenario type (the engine's fields plus its section); the parse has
 * checked the section against `section` before any of these see it.
 */
export interface BridgeDefinition<S extends Scenario = Scenario> extends ScenarioBridge {
  /** The delivery path one run of `scenario` drives; `runDir` receives whatever it writes beside the CSVs. */
  createPath(scenario: S, runDir: string): DeliveryPath;
  /** Capacity criteria of its own, over the engine's defaults (e.g. the validator height skew on Cosmos). */
  criteria?(scenario: S): Partial<CapacityCriteria>;
  /** The longest block time of the chains its messages touch, ms: the floor of a delay comparison. */
  blockTimeMs(scenario: S): number;
  /** The relayer preset a run of `scenario` uses. */
  relayer(scenario: S): string;
  /** `scenario` with another relayer preset (compare runs the same scenario once per preset). */
  withRelayer(scenario: S, preset: string): S;
}

/** Declares a bridge with its own scenario type. */
export function defineBridge<S extends Scenario>(bridge: BridgeDefinition<S>): BridgeDefinition<S> {
  return bridge;
}

/**
 * A trigger's deadline, unix ms: its kind's deadline after its *intended* send time (a
 * late send does not move it), as every path writes it into the payload.
 */
export function triggerDeadlineMs(scenario: Scenario, ledger: Ledger, m: PlannedMessage): number {
  return Math.round(Date.now() + scenario.deadlineMs[m.kind] - (now() - ledger.startedAt - m.intendedAt));
}
