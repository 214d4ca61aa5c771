// What the fault timeline (src/engine/faultRunner.ts) records for the reports. It sits below
// both, so the reports do not import the fault runner (and through it the bridges).

/** One line of events.csv. */
export interface FaultEvent {
  /** ms from the run's start. */
  at: number;
  /** `fault` for a fault that happens at one moment (a reorg). */
  event: "fault-start" | "fault-end" | "fault" | "fault-error" | "chain-halted" | "chain-resumed" | "guardian-misbehaved";
  kind: string;
  fault: string;
}

/** A short label like `guardians-offline(count=7)@5s+10s`, used in steps.csv and events.csv. */
export function faultLabel(f: { kind: string; atS: number; forS: number }): string {
  const { kind, atS, forS, ...params } = f;
  const detail = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  return `${kind}(${detail})@${atS}s+${forS}s`;
}
