import test from "ava";
import { normalQuantile, stageRisk, DEFAULT_RISK } from "./risk.ts";
import { StageStats } from "./stats.ts";

test("normal quantiles match the tables", (t) => {
  t.true(Math.abs(normalQuantile(0.99) - 2.326348) < 1e-5);
  t.true(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-5);
  t.true(Math.abs(normalQuantile(0.5)) < 1e-9);
  t.true(Math.abs(normalQuantile(0.001) + 3.090232) < 1e-5);
  t.throws(() => normalQuantile(1));
});

test("a longer p99 delay means a larger move and a lower leverage ceiling", (t) => {
  const stats = new StageStats([{ rate: 1, startRate: 1, durationS: 10 }, { rate: 1, startRate: 1, durationS: 10 }]);
  const record = (stage: number, delay: number) => {
    stats.offer(stage);
    stats.add({ id: 0, kind: "liquidation", sourceChain: "a", destinationChain: "b", stage, intendedAt: 0, sentAt: 0, deliveredAt: delay, attempts: 1, status: "delivered", late: delay > 3000 });
  };
  for (let i = 0; i < 10; i++) record(0, 1000);
  for (let i = 0; i < 10; i++) record(1, 3_600_000);
  const fast = stageRisk(stats.stages[0]!, DEFAULT_RISK);
  const slow = stageRisk(stats.stages[1]!, DEFAULT_RISK);
  t.is(fast.onTimeShare, 1);
  t.is(slow.onTimeShare, 0);
  // One hour at 80 % a year: 2.326 × 0.8 × √(1 h / 1 y) ≈ 1.99 %.
  t.true(Math.abs(slow.priceMove! - 0.01988) < 0.0002, String(slow.priceMove));
  t.true(Math.abs(slow.maxLeverage! - 1 / (0.005 + slow.priceMove!)) < 1e-9);
  t.true(fast.maxLeverage! > slow.maxLeverage! && fast.maxLeverage! < 200);
});
