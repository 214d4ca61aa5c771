import type { MakeRelayer, RelayerContext, RelayerKind } from "../kind.ts";
import { RelayerPresetError } from "../../../../engine/bridge.ts";
import { outside } from "./outside.ts";
import { processRelayer } from "./process.ts";
import { reference } from "./reference.ts";

/** The Wormhole stack's relayer kinds, in the order they are asked to take a scenario's `relayer` value: a new kind is its file plus one line here. */
export const RELAYER_KINDS: readonly RelayerKind[] = [outside, processRelayer, reference];

/** A scenario's relayer: its kind and how to make it against the stack's endpoints. */
export interface RelayerChoice {
  kind: RelayerKind;
  /** The scenario's `relayer` value. */
  value: string;
  make: MakeRelayer;
  /** VAAs a delivery carries when it batches. */
  batchSize?: number;
}

/** The kind that takes `value` (the first in RELAYER_KINDS); an unknown value's error lists every kind and the values each takes. */
export function chooseRelayer(value: string, context: RelayerContext = { faults: [], runDir: "." }): RelayerChoice {
  for (const kind of RELAYER_KINDS) {
    const selected = kind.select(value, context);
    if (selected) return { kind, value, ...selected };
  }
  const kinds = RELAYER_KINDS.map((k) => `${k.name} (${k.summary}: ${k.values().join(", ")})`);
  throw new RelayerPresetError(`relayer "${value}": no relayer kind takes it; use one of the kinds: ${kinds.join("; ")}`);
}
