import { BucketHistogram } from "./bucketHistogram.ts";

/** One guardian's figures in one stage: a guardians.csv row. Delays in ms, undefined without signatures. */
export interface GuardianDelayRow {
  stage: number;
  guardian: number;
  region: string;
  signatures: number;
  reobserved: number;
  observationP50: number | undefined;
  observationP99: number | undefined;
  observationMax: number | undefined;
  arrivalP50: number | undefined;
  arrivalP99: number | undefined;
  arrivalMax: number | undefined;
}

interface Cell {
  region: string;
  signatures: number;
  reobserved: number;
  observation: BucketHistogram;
  arrival: BucketHistogram;
}

/**
 * Per stage and guardian: how many signatures reached the aggregation point, how many of them
 * were re-observations, and two delays from when the message's block was first seen: until the
 * guardian observed it, and until its signature arrived. Kept in BucketHistograms, so memory is
 * fixed per (stage, guardian) however long the run (see bucketHistogram.ts for the percentiles).
 */
export class GuardianDelays {
  /** Cells by stage, then guardian index. */
  private readonly stages: Array<Array<Cell | undefined> | undefined> = [];

  record(stage: number, guardian: number, region: string, observationMs: number, arrivalMs: number, reobserved: boolean): void {
    const byGuardian = (this.stages[stage] ??= []);
    const cell = (byGuardian[guardian] ??= { region, signatures: 0, reobserved: 0, observation: new BucketHistogram(), arrival: new BucketHistogram() });
    cell.signatures++;
    cell.observation.record(observationMs);
    cell.arrival.record(arrivalMs);
    if (reobserved) cell.reobserved++;
  }

  /** One row per stage and guardian with signatures, by stage then guardian index. */
  *rows(): Generator<GuardianDelayRow> {
    for (let stage = 0; stage < this.stages.length; stage++) {
      const byGuardian = this.stages[stage] ?? [];
      for (let guardian = 0; guardian < byGuardian.length; guardian++) {
        const cell = byGuardian[guardian];
        if (!cell) continue;
        const { observation: o, arrival: a } = cell;
        yield {
          stage,
          guardian,
          region: cell.region,
          signatures: cell.signatures,
          reobserved: cell.reobserved,
          observationP50: o.percentile(50),
          observationP99: o.percentile(99),
          observationMax: o.percentile(100),
          arrivalP50: a.percentile(50),
          arrivalP99: a.percentile(99),
          arrivalMax: a.percentile(100),
        };
      }
    }
  }
}
