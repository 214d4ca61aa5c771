// The memory guard: stops a run, with a partial report, before the machine runs out of memory
// (a chain or the harness growing without bound on a long run, see README "Long runs").

/** When the guard stops a run (the scenario's `memoryGuard`). */
export interface MemoryGuardSettings {
  /** Stop when the machine's available memory falls below this share of its total (0–1). */
  minAvailableShare: number;
  /** Stop when one process (the harness, a chain, the relayer) holds more than this share of the machine's total memory resident (0–1). */
  maxProcessShare: number;
}

/**
 * 10 % of the machine kept available: the kernel still has room to run the report's writing and
 * to stop the processes. A single process over half the machine (the 10-minute 200 msgs/s run's
 * anvils reached 11.7 GB of 24 GB between them) is growing without bound long before the machine
 * is full.
 */
export const DEFAULT_MEMORY_GUARD: MemoryGuardSettings = { minAvailableShare: 0.1, maxProcessShare: 0.5 };

/** One reading of memory, in bytes: the machine's total and available memory, and each watched process's resident memory by name. */
export interface MemoryReading {
  totalBytes: number;
  availableBytes: number;
  processes: Record<string, number | undefined>;
}

const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GB`;
/** A share as a percentage to three significant digits ("7.92 %", "0.01 %", "50 %"). */
const percent = (share: number) => `${+(share * 100).toPrecision(3)} %`;

/**
 * Why the guard stops the run on this reading, or undefined to go on: the machine's available
 * memory under `minAvailableShare` of its total, or a process's resident memory over
 * `maxProcessShare` of it (the largest such process named).
 */
export function memoryGuardCause(reading: MemoryReading, settings: MemoryGuardSettings): string | undefined {
  const { totalBytes, availableBytes } = reading;
  if (!(totalBytes > 0)) return undefined;
  if (availableBytes < settings.minAvailableShare * totalBytes) {
    return (
      `memory guard: the machine has ${gb(availableBytes)} of ${gb(totalBytes)} available (${percent(availableBytes / totalBytes)}), ` +
      `below memoryGuard.minAvailable ${percent(settings.minAvailableShare)}`
    );
  }
  const [name, rss] = Object.entries(reading.processes)
    .filter((entry): entry is [string, number] => entry[1] !== undefined)
    .reduce<[string, number]>((top, entry) => (entry[1] > top[1] ? entry : top), ["", 0]);
  if (rss > settings.maxProcessShare * totalBytes) {
    return (
      `memory guard: ${name} holds ${gb(rss)} resident, ${percent(rss / totalBytes)} of the machine's ${gb(totalBytes)}, ` +
      `above memoryGuard.maxProcess ${percent(settings.maxProcessShare)}`
    );
  }
  return undefined;
}
