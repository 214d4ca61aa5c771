import { performance } from "node:perf_hooks";

/**
 * The one clock every timestamp in a run is taken from: monotonic milliseconds
 * (performance.now), so wall-clock adjustments cannot bend a measured delay.
 */
export function now(): number {
  return performance.now();
}
