import test from "ava";
import { LaneLimit } from "./lanes.ts";

const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
};

test("a freed slot goes to the lowest lane waiting, FIFO within a lane", async (t) => {
  const limit = new LaneLimit(1, 4);
  const order: string[] = [];
  const first = gate();
  const busy = limit.run(0, async () => {
    await first.opened;
    order.push("busy");
  });
  const queued = [
    limit.run(3, async () => void order.push("spam-1")),
    limit.run(2, async () => void order.push("order-1")),
    limit.run(0, async () => void order.push("liquidation-1")),
    limit.run(3, async () => void order.push("spam-2")),
    limit.run(0, async () => void order.push("liquidation-2")),
  ];
  t.is(limit.waiting, 5);
  first.open();
  await Promise.all([busy, ...queued]);
  t.deepEqual(order, ["busy", "liquidation-1", "liquidation-2", "order-1", "spam-1", "spam-2"]);
  t.is(limit.waiting, 0);
});

test("never more than `concurrency` at once, and a throwing task frees its slot", async (t) => {
  const limit = new LaneLimit(3, 2);
  let running = 0;
  let most = 0;
  const tasks = Array.from({ length: 20 }, (_, i) =>
    limit.run(i % 2, async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      if (i % 5 === 0) throw new Error(`task ${i}`);
    }),
  );
  const results = await Promise.allSettled(tasks);
  t.is(most, 3);
  t.is(results.filter((r) => r.status === "rejected").length, 4);
  t.is(limit.waiting, 0);
});
