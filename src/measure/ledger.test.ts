import test from "ava";
import { Ledger, type Anomaly } from "./ledger.ts";

const base = { kind: "liquidation" as const, sourceChain: "Ethereum", destinationChain: "Base", stage: 0, intendedAt: 0 };

/** Plans, links and delivers `count` messages from `firstId` on. */
function deliverMany(ledger: Ledger, firstId: number, count: number): void {
  for (let id = firstId; id < firstId + count; id++) {
    ledger.plan({ ...base, id });
    ledger.vaaReady(id, `2/aa/${id}`, ledger.startedAt + 1);
    ledger.delivered(id, ledger.startedAt + 2, "0x02", false);
  }
}

test("a finished message's VAA id stays matchable while it is among the last 100,000 finished, then is forgotten", (t) => {
  const ledger = new Ledger();
  const anomalies: Anomaly[] = [];
  ledger.onAnomaly = (a) => anomalies.push(a);
  deliverMany(ledger, 1, 1);
  deliverMany(ledger, 2, 99_999);
  ledger.duplicateAttempt("2/aa/1", ledger.startedAt + 3, "0x03");
  t.like(anomalies.at(-1), { kind: "duplicate-attempt", messageId: 1 });
  deliverMany(ledger, 100_001, 1);
  ledger.duplicateAttempt("2/aa/1", ledger.startedAt + 3, "0x04");
  t.like(anomalies.at(-1), { kind: "unmatched", messageId: undefined });
  // Recent ones are still known.
  ledger.duplicateAttempt("2/aa/100001", ledger.startedAt + 3, "0x05");
  t.like(anomalies.at(-1), { kind: "duplicate-attempt", messageId: 100_001 });
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
  t.true(Math.abs(record.relayerFetchedAt! - 5) < 1e-6 && Math.abs(record.relayerSubmittedAt! - 6) < 1e-6, `${record.relayerFetchedAt}, ${record.relayerSubmittedAt}`);
  t.is(record.attempts, 1);
  // A later message that reuses the id (sequence reused after a reorg) is told apart.
  ledger.plan({ ...base, id: 250_002 });
  ledger.vaaReady(250_002, "2/aa/1", ledger.startedAt + 7);
  t.is(ledger.get(250_002)?.vaaIdOf, 1);
});
