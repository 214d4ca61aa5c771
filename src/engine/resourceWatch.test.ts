import test from "ava";
import { readResources, watchResources } from "./resourceWatch.ts";
import type { ResourceSample } from "../measure/resources.ts";

const GB = 2 ** 30;

test("a resource reading: the path's processes by name read through their pids, the harness beside them for the guard", (t) => {
  const rss: Record<number, number | undefined> = { 11: 2 * GB, 12: undefined };
  const { sample, memory } = readResources(1500, {
    path: () => ({ processes: { Ethereum: 11, relayer: 12 }, blockLateness: { Ethereum: [1.5, 2] } }),
    harness: () => ({ rssBytes: 0.5 * GB, heapBytes: 0.2 * GB }),
    processRss: (pid) => rss[pid],
    machine: () => ({ totalBytes: 16 * GB, availableBytes: 8 * GB }),
  });
  t.deepEqual(sample, {
    at: 1500,
    harnessRssBytes: 0.5 * GB,
    harnessHeapBytes: 0.2 * GB,
    processes: { Ethereum: 2 * GB, relayer: undefined },
    blockLateness: { Ethereum: [1.5, 2] },
  });
  t.deepEqual(memory, { totalBytes: 16 * GB, availableBytes: 8 * GB, processes: { harness: 0.5 * GB, Ethereum: 2 * GB, relayer: undefined } });
  // Without a path, the harness alone.
  t.deepEqual(readResources(0, { harness: () => ({ rssBytes: 1, heapBytes: 1 }), machine: () => ({ totalBytes: 2, availableBytes: 1 }) }).sample.processes, {});
});

test("the watch records every reading and calls stop once, with the guard's cause, when a reading breaks its rule", async (t) => {
  const recorded: ResourceSample[] = [];
  const causes: string[] = [];
  let available = 8 * GB;
  let end: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    end = watchResources({
      sources: { harness: () => ({ rssBytes: GB, heapBytes: GB }), machine: () => ({ totalBytes: 16 * GB, availableBytes: available }) },
      elapsed: () => recorded.length * 1000,
      record: (s) => {
        recorded.push(s);
        // The second reading finds the machine short of memory.
        available = 1 * GB;
      },
      guard: { minAvailableShare: 0.1, maxProcessShare: 0.9 },
      stop: (cause) => {
        causes.push(cause);
        resolve();
      },
    });
  });
  t.teardown(() => end());
  await stopped;
  t.true(recorded.length >= 1);
  t.deepEqual(causes, ["memory guard: the machine has 1.0 GB of 16.0 GB available (6.25 %), below memoryGuard.minAvailable 10 %"]);
});
