import test from "ava";
import { Ledger } from "./ledger.ts";
import type { Anomaly } from "./record.ts";
import { RING_SLOTS } from "./vaaIds.ts";
import { StageStats } from "./stats.ts";

const base = { kind: "liquidation" as const, sourceChain: "Ethereum", destinationChain: "Base", stage: 0, intendedAt: 0 };

/** Plans, links and delivers `count` messages from `firstId` on. */
function deliverMany(ledger: Ledger, firstId: number, count: number): void {
  for (let id = firstId; id < firstId + count; id++) {
    ledger.plan({ ...base, id });
    ledger.vaaReady(id, `2/aa/${id}`, ledger.startedAt + 1);
    ledger.delivered(id, ledger.startedAt + 2, "0x02", false);
  }
}

test("a finished message's VAA id stays matchable until a sequence one ring later of its emitter takes its slot", (t) => {
  const ledger = new Ledger();
  const anomalies: Anomaly[] = [];
  ledger.onAnomaly = (a) => anomalies.push(a);
  deliverMany(ledger, 1, RING_SLOTS);
  ledger.duplicateAttempt("2/aa/1", ledger.startedAt + 3, "0x03");
  t.like(anomalies.at(-1), { kind: "duplicate-attempt", messageId: 1 });
  // Another emitter's sequences do not take its slot.
  ledger.plan({ ...base, id: RING_SLOTS + 1 });
  ledger.vaaReady(RING_SLOTS + 1, `2/bb/${RING_SLOTS + 1}`, ledger.startedAt + 1);
  ledger.duplicateAttempt("2/aa/1", ledger.startedAt + 3, "0x04");
  t.like(anomalies.at(-1), { kind: "duplicate-attempt", messageId: 1 });
  // The next sequence of the same emitter takes slot 1 once its message finishes: message 1's id is forgotten.
  ledger.plan({ ...base, id: RING_SLOTS + 2 });
  ledger.vaaReady(RING_SLOTS + 2, `2/aa/${RING_SLOTS + 1}`, ledger.startedAt + 1);
  t.is(ledger.get(RING_SLOTS + 2)?.vaaIdOf, undefined, "a different sequence in the slot is not a reused id");
  ledger.duplicateAttempt("2/aa/1", ledger.startedAt + 3, "0x05");
  t.like(anomalies.at(-1), { kind: "duplicate-attempt", messageId: 1 }, "kept while the later sequence is in flight");
  ledger.delivered(RING_SLOTS + 2, ledger.startedAt + 2, "0x02", false);
  ledger.duplicateAttempt("2/aa/1", ledger.startedAt + 3, "0x05");
  t.like(anomalies.at(-1), { kind: "unmatched", messageId: undefined });
  // Recent ones are still known.
  ledger.duplicateAttempt(`2/aa/${RING_SLOTS}`, ledger.startedAt + 3, "0x06");
  t.like(anomalies.at(-1), { kind: "duplicate-attempt", messageId: RING_SLOTS });
});

test("a VAA id without a decimal sequence is matched while its message is in flight, then forgotten", (t) => {
  const ledger = new Ledger();
  const anomalies: Anomaly[] = [];
  ledger.onAnomaly = (a) => anomalies.push(a);
  for (const [id, key] of [
    [1, "odd-id"],
    [2, "2/aa/0x1f"],
    [3, "2/aa/"],
    [4, `2/aa/${"9".repeat(16)}`],
  ] as const) {
    ledger.plan({ ...base, id });
    ledger.vaaReady(id, key, ledger.startedAt + 1);
    ledger.relayerSubmitted(key, ledger.startedAt + 2);
    t.is(ledger.get(id)?.attempts, 1, key);
    ledger.delivered(id, ledger.startedAt + 3, "0x02", false);
    ledger.duplicateAttempt(key, ledger.startedAt + 4, "0x03");
    t.like(anomalies.at(-1), { kind: "unmatched" }, key);
  }
});

test("out-of-order deliveries are counted per emitter and destination", (t) => {
  const ledger = new Ledger();
  const finals: Array<[number, boolean | undefined]> = [];
  ledger.onFinal = (r) => finals.push([r.id, r.outOfOrder]);
  const deliveries: Array<[number, string, string]> = [
    [1, "2/aa/5", "Base"],
    [2, "2/aa/3", "Base"], // out of order behind 5 on aa → Base
    [3, "2/aa/4", "Optimism"], // another destination: its own order
    [4, "2/bb/1", "Base"], // another emitter: its own order
    [5, "2/aa/6", "Base"],
  ];
  for (const [id, key, destinationChain] of deliveries) {
    ledger.plan({ ...base, id, destinationChain });
    ledger.vaaReady(id, key, ledger.startedAt + 1);
  }
  for (const [id] of deliveries) ledger.delivered(id, ledger.startedAt + 2, "0x02", false);
  t.deepEqual(finals, [
    [1, undefined],
    [2, true],
    [3, undefined],
    [4, undefined],
    [5, undefined],
  ]);
});

test("a message in flight while 250,000 others finish is still matched by its VAA id", (t) => {
  const ledger = new Ledger();
  ledger.plan({ ...base, id: 1 });
  ledger.vaaReady(1, "2/aa/1", ledger.startedAt + 1);
  deliverMany(ledger, 2, 250_000);
  ledger.relayerFetched("2/aa/1", ledger.startedAt + 5);
  ledger.relayerSubmitted("2/aa/1", ledger.startedAt + 6);
  const record = ledger.get(1)!;
  // Times are ms from the run's start: startedAt + 5 − startedAt, exact to floating point.
  t.true(
    Math.abs(record.relayerFetchedAt! - 5) < 1e-6 && Math.abs(record.relayerSubmittedAt! - 6) < 1e-6,
    `${record.relayerFetchedAt}, ${record.relayerSubmittedAt}`,
  );
  t.is(record.attempts, 1);
  // A later message that reuses the id (sequence reused after a reorg) is told apart.
  ledger.plan({ ...base, id: 250_002 });
  ledger.vaaReady(250_002, "2/aa/1", ledger.startedAt + 7);
  t.is(ledger.get(250_002)?.vaaIdOf, 1);
  // Relayer events go to the later message; the earlier one finishing does not unlink it.
  ledger.delivered(1, ledger.startedAt + 8, "0x02", false);
  ledger.relayerSubmitted("2/aa/1", ledger.startedAt + 9);
  t.is(ledger.get(250_002)?.attempts, 1);
  // A finished message's sequence used again is told apart too.
  ledger.plan({ ...base, id: 250_003 });
  ledger.vaaReady(250_003, "2/aa/250001", ledger.startedAt + 10);
  t.is(ledger.get(250_003)?.vaaIdOf, 250_001);
});

test("late is either clock's verdict: the chain's (kept as late_onchain) or the measured delay above the kind's deadline (late_measured)", (t) => {
  const ledger = new Ledger({ liquidation: 3000, order: 10_000 });
  const stats = new StageStats([{ rate: 10, startRate: 10, durationS: 1 }]);
  ledger.onPlan = (r) => stats.offer(r.stage, r.kind);
  const finals: Array<[number, boolean | undefined, boolean | undefined, boolean | undefined]> = [];
  ledger.onFinal = (r) => (stats.add(r), finals.push([r.id, r.late, r.lateOnchain, r.lateMeasured]));
  const cases: Array<[id: number, kind: "liquidation" | "order" | "spam", delay: number, onchain: boolean]> = [
    [1, "liquidation", 2999, false], // on time by both
    [2, "liquidation", 3001, false], // whole-second block time still within the deadline; the measured delay is not
    [3, "liquidation", 2500, true], // the chain says late (its block timestamp), the measured delay does not
    [4, "liquidation", 3500, true],
    [5, "order", 3500, false], // its own kind's deadline
    [6, "spam", 90_000, false], // no deadline given for the kind: the chain's verdict alone
  ];
  for (const [id, kind, delay, onchain] of cases) {
    ledger.plan({ ...base, id, kind, intendedAt: 100 });
    ledger.delivered(id, ledger.startedAt + 100 + delay, "0x02", onchain);
  }
  ledger.plan({ ...base, id: 7, intendedAt: 100 });
  ledger.closeDrain();
  t.deepEqual(finals, [
    [1, false, false, false],
    [2, true, false, true],
    [3, true, true, false],
    [4, true, true, true],
    [5, false, false, false],
    [6, false, false, undefined],
    [7, undefined, undefined, undefined],
  ]);
  // Every late count (steps.csv, summary, late_rate, the liquidation criterion) counts either clock's.
  t.is(stats.stages[0]!.late, 3);
  t.is(stats.stages[0]!.liquidation.late, 3);
  t.is(stats.total.late, 3);
  t.is(stats.thresholdMetrics().late_rate, 3 / 6);
});

test("a message rolled back after it was seen, before its VAA formed, is held: delivered as a phantom if guardians that saw it still sign, else dropped at the drain's end", (t) => {
  const ledger = new Ledger();
  const anomalies: Anomaly[] = [];
  const finals = new Map<number, { status: string; reason?: string }>();
  ledger.onAnomaly = (a) => anomalies.push(a);
  ledger.onFinal = (r) => finals.set(r.id, { status: r.status, reason: r.dropReason?.code });
  const at = (ms: number) => ledger.startedAt + ms;
  for (const id of [1, 2, 3]) {
    ledger.plan({ ...base, id });
    ledger.sent(id, at(1), "0x01");
  }
  ledger.sourceIncluded(1, "2/aa/1", at(5));
  ledger.sourceIncluded(2, "2/aa/2", at(5));
  // 1 and 2 were seen in a block the reorg replaced; 3 was pending and is gone.
  for (const id of [1, 2, 3]) ledger.sourceRolledBack(id, at(10));
  t.deepEqual(finals.get(3), { status: "dropped", reason: "source-rolled-back" }, "never seen: no guardian can sign it");
  t.is(ledger.inFlight, 0, "the drain does not wait for the held ones");
  t.truthy(ledger.get(1) && ledger.get(2), "held, not dropped");
  // Guardians that saw message 1 before the reorg complete its VAA after it, and it is delivered.
  ledger.vaaReady(1, "2/aa/1", at(20));
  t.is(ledger.inFlight, 1, "a VAA is owed a delivery again");
  ledger.delivered(1, at(30), "0x03", false);
  t.deepEqual(finals.get(1), { status: "delivered", reason: undefined });
  t.deepEqual(
    anomalies.map((a) => [a.kind, a.messageId]),
    [["phantom-delivery", 1]],
  );
  t.is(ledger.closeDrain(), 1);
  t.deepEqual(finals.get(2), { status: "dropped", reason: "source-rolled-back" });
  t.is(ledger.inFlight, 0);
  // A delivery after that is a phantom of a dropped message, counted once.
  ledger.delivered(2, at(40), "0x04", false);
  ledger.delivered(2, at(41), "0x05", false);
  t.deepEqual(
    anomalies.map((a) => [a.kind, a.messageId]),
    [
      ["phantom-delivery", 1],
      ["phantom-delivery", 2],
      ["duplicate-delivery", 2],
    ],
  );
});
