import test from "ava";
import { DEFAULT_MEMORY_GUARD, memoryGuardCause } from "./memoryGuard.ts";

const GB = 2 ** 30;

test("the memory guard stops a run when the machine's available memory falls below its share of the total", (t) => {
  const reading = (availableGb: number) => ({ totalBytes: 24 * GB, availableBytes: availableGb * GB, processes: { harness: 1 * GB } });
  t.is(memoryGuardCause(reading(2.5), DEFAULT_MEMORY_GUARD), undefined, "2.5 of 24 GB is more than 10 %");
  t.is(memoryGuardCause({ totalBytes: 1000, availableBytes: 100, processes: {} }, DEFAULT_MEMORY_GUARD), undefined, "exactly 10 % goes on");
  t.is(
    memoryGuardCause(reading(1.9), DEFAULT_MEMORY_GUARD),
    "memory guard: the machine has 1.9 GB of 24.0 GB available (7.92 %), below memoryGuard.minAvailable 10 %",
  );
  t.regex(
    memoryGuardCause(reading(5), { minAvailableShare: 0.25, maxProcessShare: 0.5 }) ?? "",
    /5\.0 GB of 24\.0 GB available \(20\.8 %\), below memoryGuard\.minAvailable 25 %/,
  );
});

test("the memory guard names the largest process over its share of the machine, and ignores processes it could not read", (t) => {
  const settings = { minAvailableShare: 0.1, maxProcessShare: 0.3 };
  const reading = (processes: Record<string, number | undefined>) => ({ totalBytes: 10 * GB, availableBytes: 5 * GB, processes });
  t.is(memoryGuardCause(reading({ harness: 2 * GB, Ethereum: 3 * GB, Base: undefined }), settings), undefined, "3 of 10 GB is not over 30 %");
  t.is(
    memoryGuardCause(reading({ harness: 2 * GB, Ethereum: 3.5 * GB, Arbitrum: 4 * GB, Base: undefined }), settings),
    "memory guard: Arbitrum holds 4.0 GB resident, 40 % of the machine's 10.0 GB, above memoryGuard.maxProcess 30 %",
  );
  // Low machine memory is the first cause named.
  t.regex(memoryGuardCause({ ...reading({ harness: 9 * GB }), availableBytes: 0.5 * GB }, settings) ?? "", /the machine has 0\.5 GB/);
  t.is(memoryGuardCause({ totalBytes: 0, availableBytes: 0, processes: {} }, settings), undefined, "no reading of the machine: no verdict");
});
