import { readFileSync } from "node:fs";
import { cpus } from "node:os";

/** Linux reports /proc/stat in USER_HZ ticks, 100 a second on every mainstream build. */
const TICKS_PER_S = 100;

/**
 * CPU time the whole machine has spent busy (every core, every process: the chains, the
 * relayer, the harness), in core-milliseconds, from /proc/stat; undefined where there is no
 * /proc/stat. On 2 cores the chains and the harness share the same CPUs: when the machine is
 * saturated, neither the chains nor the harness can go faster, and a stage's result is the
 * machine's limit.
 */
export function machineBusyMs(): number | undefined {
  let line: string;
  try {
    line = readFileSync("/proc/stat", "latin1").split("\n", 1)[0]!;
  } catch {
    return undefined;
  }
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  if (user === undefined || Number.isNaN(user)) return undefined;
  return ((user + nice! + system! + irq! + softirq! + (steal ?? 0)) * 1000) / TICKS_PER_S;
}

/** Cores of this machine, for turning busy core-milliseconds into a share. */
export const MACHINE_CORES = Math.max(1, cpus().length);

/** At or above this share of all cores busy during a stage, the machine itself was saturated. */
export const SATURATED_MACHINE = 0.95;
