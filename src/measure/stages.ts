/** What the start of a stage depends on (a scenario's StageConfig, the statistics' StageSpec). */
export interface StageTiming {
  durationS: number;
  /** Start, ms from the run's start; by default each stage follows the previous one. */
  startAtMs?: number;
}

/** Start of each stage, ms from the run's start. */
export function stageStarts(scenario: { stages: ReadonlyArray<StageTiming> }): number[] {
  let at = 0;
  return scenario.stages.map((s) => {
    const start = s.startAtMs ?? at;
    at = start + s.durationS * 1000;
    return start;
  });
}
