import test from "ava";
import { readFileSync } from "node:fs";
import type { MessageRecord } from "../measure/record.ts";
import { StageStats } from "../measure/stats.ts";
import { summaryTable } from "./summaryTable.ts";
import { STEPS, stepRecords } from "./tables.ts";
import { judgeStage } from "../measure/capacity.ts";

/** Two stages (one ramping): six delivered messages with known delays, two dropped. */
function twoStages(): StageStats {
  const stats = new StageStats([
    { rate: 4, startRate: 4, durationS: 2 },
    { rate: 8, startRate: 2, durationS: 1 },
  ]);
  const delays = [120.4, 130.6, 250.5, 90, 1000.49, 80];
  let id = 0;
  for (const [k, delay] of delays.entries()) {
    const stage = k < 4 ? 0 : 1;
    const intendedAt = stage * 2000 + k * 100;
    stats.offer(stage);
    stats.add({ id: id++, kind: "order", stage, intendedAt, sentAt: intendedAt + 1, status: "delivered", deliveredAt: intendedAt + delay } as MessageRecord);
  }
  for (const reason of [{ code: "not-submitted-by-relayer" }, { code: "submitted-not-delivered", detail: "no receipt" }] as const) {
    stats.offer(1);
    stats.add({ id: id++, kind: "spam", stage: 1, intendedAt: 2500, sentAt: 2501, status: "dropped", dropReason: reason } as MessageRecord);
  }
  return stats;
}

test("the console table shows each stage's steps.csv figures under its own titles and formats", (t) => {
  const stats = twoStages();
  const lines = summaryTable(stats.stages).split("\n");
  t.deepEqual(
    lines.map((l) => l.trim().split(/\s{2,}/)),
    [
      ["stage", "rate/s", "offered", "sent", "delivered", "dropped", "late", "dup", "p50 ms", "p90 ms", "p99 ms", "max ms", "jitter", "delay slope", "verdict"],
      ["0", "4", "4", "4", "4", "0", "0", "0", "120", "251", "251", "251", "161", "0.029", "ok"],
      ["1", "2→8", "4", "4", "2", "2", "0", "0", "80", "1000", "1000", "1000", "920", "-", "delivered<98%,drops"],
      ["stage 1 drops: not-submitted-by-relayer ×1, submitted-not-delivered ×1"],
    ],
  );
  // The same figures as steps.csv's row (there with one decimal).
  const [, second] = stepRecords(
    stats.stages,
    stats.stages.map((s) => judgeStage(s)),
  );
  t.is(STEPS.cell(second!, "p99_ms"), "1000.5");
  t.is(STEPS.cell(second!, "drop_reasons"), "not-submitted-by-relayer=1;submitted-not-delivered=1");
});

test("the console table and /metrics compute no stage figure themselves: they read steps.csv's declaration", (t) => {
  for (const file of ["summaryTable.ts", "metrics.ts"]) {
    const source = readFileSync(new URL(file, import.meta.url), "utf8");
    t.notRegex(source, /\.percentile\(|\.jitter\b|\.mean\b|delaySlope|dropReasons|\.failed\b/, file);
  }
});
