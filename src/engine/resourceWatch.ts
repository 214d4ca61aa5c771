import { machineMemory, processRssBytes } from "../measure/memory.ts";
import { DEFAULT_MEMORY_GUARD, type MemoryGuardSettings, type MemoryReading, memoryGuardCause } from "../measure/memoryGuard.ts";
import type { ResourceSample } from "../measure/resources.ts";
import type { PathResources } from "./bridge.ts";

/** How often the run reads its processes' memory, its chains' block lateness and the machine's memory. */
export const RESOURCES_EVERY_MS = 1000;

/** Where a reading comes from; each can be replaced (tests). */
export interface ResourceSources {
  /** The delivery path's processes and block lateness (DeliveryPath.resources). */
  path?: () => PathResources;
  harness?: () => { rssBytes: number; heapBytes: number };
  processRss?: (pid: number) => number | undefined;
  machine?: () => { totalBytes: number; availableBytes: number };
}

/** One reading: the resource sample for the report at `at` (ms from the run's start) and the memory reading the guard judges. */
export function readResources(at: number, sources: ResourceSources): { sample: ResourceSample; memory: MemoryReading } {
  const path = sources.path?.();
  const { rssBytes, heapBytes } = sources.harness?.() ?? harnessMemory();
  const rssOf = sources.processRss ?? processRssBytes;
  const processes = Object.fromEntries(Object.entries(path?.processes ?? {}).map(([name, pid]) => [name, rssOf(pid)]));
  return {
    sample: { at, harnessRssBytes: rssBytes, harnessHeapBytes: heapBytes, processes, blockLateness: path?.blockLateness ?? {} },
    memory: { ...(sources.machine ?? machineMemory)(), processes: { harness: rssBytes, ...processes } },
  };
}

function harnessMemory(): { rssBytes: number; heapBytes: number } {
  const { rss, heapUsed } = process.memoryUsage();
  return { rssBytes: rss, heapBytes: heapUsed };
}

/**
 * Reads the resources every RESOURCES_EVERY_MS, gives each sample to `record` and, the first time
 * the guard's rule is broken (`guard`; false: no guard), calls `stop` with the cause. Returns the
 * function that ends the watch.
 */
export function watchResources(options: {
  sources: ResourceSources;
  elapsed: () => number;
  record: (sample: ResourceSample) => void;
  guard: MemoryGuardSettings | false | undefined;
  stop: (cause: string) => void;
}): () => void {
  const guard = options.guard === undefined ? DEFAULT_MEMORY_GUARD : options.guard;
  let stopped = false;
  const timer = setInterval(() => {
    const { sample, memory } = readResources(options.elapsed(), options.sources);
    options.record(sample);
    const cause = guard ? memoryGuardCause(memory, guard) : undefined;
    if (cause && !stopped) {
      stopped = true;
      options.stop(cause);
    }
  }, RESOURCES_EVERY_MS);
  return () => clearInterval(timer);
}
