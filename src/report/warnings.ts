import { SATURATED_MACHINE } from "../measure/machineCpu.ts";
import { BUSY_HARNESS_LOOP } from "../measure/stats.ts";

/**
 * At or above this p99 send lateness (ms) in a stage, the load generator fell behind its
 * schedule by a tenth of a 1 s block or more: every delay is still measured from the intended
 * time, so the stage's delays include that lag, which is the harness's and not the bridge's.
 */
export const LATE_SENDING_MS = 100;

/** Below this ratio of harness ceiling to measured capacity, a result may be the harness's own limit. */
export const MIN_HEADROOM = 3;

/** What the warnings need of a stage: steps.csv's columns, as numbers (undefined when empty). */
export interface StageLoad {
  stage: number;
  offeredRate: number;
  harnessLoopBusy: number | undefined;
  machineCpu: number | undefined;
  sendLatenessP99: number | undefined;
}

/**
 * The run's warnings that a result may be the harness's or this machine's limit rather than
 * the bridge's, one sentence each (the CLI prints them, report.html shows them as banners).
 * `cores`: of the machine that ran it (the manifest's, when the report is drawn elsewhere).
 */
export function harnessWarnings(stages: StageLoad[], headroom: number | undefined, ceilingMsgsPerS: number | undefined, cores?: number): string[] {
  const warnings: string[] = [];
  const at = (s: StageLoad) => `stage ${s.stage} (${s.offeredRate} msgs/s)`;
  const busy = stages.filter((s) => (s.harnessLoopBusy ?? 0) >= BUSY_HARNESS_LOOP);
  if (busy.length) {
    warnings.push(
      `the harness's event loop was busy ${busy.map((s) => `${Math.round(s.harnessLoopBusy! * 100)} % of ${at(s)}`).join(", ")}: results at these rates may be the harness's own limit (harness_loop_busy in steps.csv)`,
    );
  }
  const late = stages.filter((s) => (s.sendLatenessP99 ?? 0) >= LATE_SENDING_MS);
  if (late.length) {
    warnings.push(
      `the load generator sent late: send lateness p99 ${late.map((s) => `${Math.round(s.sendLatenessP99!)} ms in ${at(s)}`).join(", ")}; delays are measured from the intended send time, so they include this harness lag (send_lateness_p99_ms in steps.csv)`,
    );
  }
  const saturated = stages.filter((s) => (s.machineCpu ?? 0) >= SATURATED_MACHINE);
  if (saturated.length) {
    warnings.push(
      `the machine's ${cores === undefined ? "" : `${cores} `}cores were ${saturated.map((s) => `${Math.round(s.machineCpu! * 100)} % busy in ${at(s)}`).join(", ")}: chains, relayer and harness competed for CPU, so results at these rates are this machine's limit (machine_cpu in steps.csv)`,
    );
  }
  if (headroom !== undefined && headroom < MIN_HEADROOM) {
    warnings.push(
      `the harness's own ceiling${ceilingMsgsPerS === undefined ? "" : ` (${Math.round(ceilingMsgsPerS)} msgs/s)`} is only ${headroom.toFixed(2)}× the measured capacity, under ${MIN_HEADROOM}×: the capacity may be the harness's limit, not the bridge's`,
    );
  }
  return warnings;
}
