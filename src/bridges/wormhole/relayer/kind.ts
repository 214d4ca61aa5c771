import type { LoadedIntegration } from "../integrationLoader.ts";
import type { Relayer, RelayerEndpoints } from "./relayer.ts";

/** What a kind may read when a scenario's `relayer` value is matched: the scenario's faults and the run's folder. */
export interface RelayerContext {
  /** The scenario's faults (a kind may be chosen by one, as relayer-restart chooses the reference relayer's own process). */
  faults: ReadonlyArray<{ kind: string }>;
  /** The run's folder, for files the relayer keeps (a checkpoint). */
  runDir: string;
}

/** A relayer ready to be made once the stack knows its endpoints and has loaded the integration it delivers for. */
export type MakeRelayer = (endpoints: RelayerEndpoints, integration: LoadedIntegration) => Relayer;

/** What a kind's select() gives for a value it takes. */
export interface SelectedRelayer {
  make: MakeRelayer;
  /** VAAs it delivers in one transaction, when it batches (an integration without deliverBatch refuses it). */
  batchSize?: number;
}

/**
 * One kind of relayer the Wormhole stack can run, in one file of relayer/kinds/, listed in
 * relayer/kinds/index.ts: the stack and the path pick the kind through that list (the first
 * kind whose select() takes the scenario's `relayer` value), so adding a kind is its file plus
 * one line there.
 */
export interface RelayerKind {
  /** Its name, in errors and the README. */
  readonly name: string;
  /** What the scenario's `relayer` value looks like for this kind, and what runs. One line, for errors. */
  readonly summary: string;
  /** It signs its deliveries on the harness's main thread (the harness ceiling counts those signatures). */
  readonly signsInProcess: boolean;
  /** The `relayer` values this kind takes (for errors), e.g. its presets. */
  values(): string[];
  /**
   * The relayer this value names, when the value is this kind's (undefined otherwise); loads and
   * checks the kind's settings now, so a bad preset fails before anything starts (errors name the field).
   */
  select(value: string, context: RelayerContext): SelectedRelayer | undefined;
}

export function defineRelayerKind(kind: RelayerKind): RelayerKind {
  return kind;
}
