import test from "ava";
import { HOPS, messageHops } from "./hops.ts";
import type { MessageRecord } from "./record.ts";
import { StageStats } from "./stats.ts";
import { seededRandom } from "../infra/random.ts";

const delivered = (r: Partial<MessageRecord>): MessageRecord => ({
  id: 1,
  kind: "liquidation",
  sourceChain: "Ethereum",
  destinationChain: "Base",
  stage: 0,
  intendedAt: 1000.3,
  attempts: 1,
  status: "delivered",
  ...r,
});

test("a delivered message's hops add up to its delay_ms, whichever times its relayer reports", (t) => {
  const random = seededRandom(7);
  const cases: Array<[string, Partial<MessageRecord>, string[]]> = [
    [
      "in-process relayer",
      { sentAt: 1, sourceIncludedAt: 2, vaaReadyAt: 3, relayerFetchedAt: 4, relayerSubmittedAt: 5, deliveredAt: 6 },
      ["send", "source_inclusion", "guardian_quorum", "relayer_pickup", "destination_inclusion"],
    ],
    [
      "outside relayer (reports nothing)",
      { sentAt: 1, sourceIncludedAt: 2, vaaReadyAt: 3, deliveredAt: 6 },
      ["send", "source_inclusion", "guardian_quorum", "destination_inclusion"],
    ],
    ["cosmos", { sentAt: 1, deliveredAt: 6 }, ["send", "destination_inclusion"]],
    ["ibc", { sentAt: 1, sourceIncludedAt: 2, deliveredAt: 6, acknowledgedAt: 7 }, ["send", "source_inclusion", "ibc_receive", "ibc_acknowledgement"]],
  ];
  for (const [label, times, expected] of cases) {
    for (let k = 0; k < 50; k++) {
      // Random increasing times after intended_at, in the order of the path.
      let at = 1000.3;
      const r = delivered(Object.fromEntries(Object.entries(times).map(([field]) => [field, (at += random() * 700)])));
      const hops = messageHops(r);
      t.deepEqual(Object.keys(hops), expected, label);
      const onPath = Object.entries(hops)
        .filter(([hop]) => hop !== "ibc_acknowledgement")
        .reduce((a, [, ms]) => a + ms!, 0);
      t.true(Math.abs(onPath - (r.deliveredAt! - r.intendedAt)) < 1e-9, `${label}: ${onPath} vs ${r.deliveredAt! - r.intendedAt}`);
      t.is(hops.send, r.sentAt! - r.intendedAt);
      if (r.relayerSubmittedAt === undefined && r.vaaReadyAt !== undefined) t.is(hops.destination_inclusion, r.deliveredAt! - r.vaaReadyAt);
    }
  }
  t.deepEqual(messageHops(delivered({ sentAt: 1 })), {}, "nothing for a message without a delivery");
});

test("each stage's hop means add up to its mean delay when its messages report the same hops", (t) => {
  const stats = new StageStats([{ rate: 1, startRate: 1, durationS: 10 }]);
  const random = seededRandom(3);
  for (let i = 0; i < 200; i++) {
    const intendedAt = i * 50;
    const sentAt = intendedAt + random() * 30;
    const sourceIncludedAt = sentAt + 100 + random() * 500;
    const vaaReadyAt = sourceIncludedAt + random() * 100;
    stats.offer(0);
    stats.add(
      delivered({
        id: i,
        intendedAt,
        sentAt,
        sourceIncludedAt,
        vaaReadyAt,
        relayerSubmittedAt: vaaReadyAt + random() * 50,
        deliveredAt: vaaReadyAt + 300 + random() * 900,
      }),
    );
  }
  const s = stats.stages[0]!;
  const hops = (Object.keys(HOPS) as Array<keyof typeof HOPS>).filter((h) => s.hops[h].count > 0);
  t.deepEqual(hops, ["send", "source_inclusion", "guardian_quorum", "relayer_pickup", "destination_inclusion"]);
  t.true(Math.abs(hops.reduce((a, h) => a + s.hops[h].mean!, 0) - s.delay.mean!) < 1e-6);
  // Not in percentiles: the p99s of the hops sum to more than the p99 of the delay.
  t.true(hops.reduce((a, h) => a + s.hops[h].percentile(99)!, 0) > s.delay.percentile(99)!);
});
