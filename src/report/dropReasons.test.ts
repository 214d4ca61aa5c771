import test from "ava";
import { readFileSync } from "node:fs";
import { CheckTxError } from "../bridges/localnets/senders.ts";
import { DROP_CODES, type DropCode } from "../measure/dropReasons.ts";
import { Ledger } from "../measure/ledger.ts";
import { type MessageRecord, stallReason } from "../measure/record.ts";
import { MESSAGES } from "./tables.ts";

// Drop reasons are { code, detail } inside and the drop_reason cell of messages.csv as before:
// `code` or `code: detail`. Each expected cell below is what the code wrote before the split.

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const cell = (r: MessageRecord) => MESSAGES.row(r)[MESSAGES.columns.indexOf("drop_reason")];

const base: MessageRecord = {
  id: 1,
  kind: "liquidation",
  sourceChain: "Ethereum",
  destinationChain: "Base",
  stage: 0,
  intendedAt: 0,
  attempts: 0,
  status: "in-flight",
};

/** A message planned on a fresh ledger, moved along by `events`, then dropped by `drop` (closeDrain when absent). */
function dropped(events: (ledger: Ledger) => void, drop?: (ledger: Ledger) => void): MessageRecord {
  const ledger = new Ledger();
  let final: MessageRecord | undefined;
  ledger.onFinal = (r) => {
    final = r;
  };
  ledger.plan({ id: 1, kind: "liquidation", sourceChain: "Ethereum", destinationChain: "Base", stage: 0, intendedAt: 0 });
  events(ledger);
  if (drop) drop(ledger);
  else ledger.closeDrain();
  return final!;
}

const KEY = "2/000000000000000000000000aa/7";
const cases: Array<[DropCode, MessageRecord, string]> = [
  ["not-sent", dropped(() => undefined), "not-sent"],
  [
    "not-sent",
    dropped(
      () => undefined,
      (l) => l.notSent(1, "10000 sends already waiting for the source node (maxInFlightSends)"),
    ),
    "not-sent: 10000 sends already waiting for the source node (maxInFlightSends)",
  ],
  [
    "send-failed",
    dropped((l) => l.sendFailed(1, l.startedAt + 5, "nonce too low: next nonce 4, tx nonce 3")),
    "send-failed: nonce too low: next nonce 4, tx nonce 3",
  ],
  ["not-included-on-source", dropped((l) => l.sent(1, l.startedAt + 5, "0xaa")), "not-included-on-source"],
  [
    "vaa-id-reused",
    { ...base, status: "dropped", dropReason: stallReason({ ...base, sentAt: 1, sourceIncludedAt: 2, vaaKey: KEY, vaaIdOf: 3 }) },
    `vaa-id-reused: ${KEY} was message 3's first`,
  ],
  ["no-quorum", dropped((l) => (l.sent(1, l.startedAt + 5, "0xaa"), l.sourceIncluded(1, KEY, l.startedAt + 9))), "no-quorum"],
  [
    "reobservation-pending",
    dropped(
      (l) => (l.sent(1, l.startedAt + 5, "0xaa"), l.sourceIncluded(1, KEY, l.startedAt + 9)),
      (l) =>
        l.refused(1, l.startedAt + 20, { code: "reobservation-pending", detail: "12 of 13 signatures; 1 re-observation requests made, the next due in 4.2 s" }),
    ),
    "reobservation-pending: 12 of 13 signatures; 1 re-observation requests made, the next due in 4.2 s",
  ],
  [
    "relayer-gave-up",
    dropped((l) => {
      l.sent(1, l.startedAt + 5, "0xaa");
      l.vaaReady(1, KEY, l.startedAt + 9);
      l.sourceIncluded(1, KEY, l.startedAt + 9);
      l.relayerGaveUp(KEY, "send failed: max fee per gas less than block base fee");
    }),
    "relayer-gave-up: send failed: max fee per gas less than block base fee",
  ],
  [
    "vaa-not-fetched-by-relayer",
    dropped((l) => (l.sent(1, l.startedAt + 5, "0xaa"), l.sourceIncluded(1, KEY, l.startedAt + 9), l.vaaReady(1, KEY, l.startedAt + 9))),
    "vaa-not-fetched-by-relayer",
  ],
  [
    "not-submitted-by-relayer",
    dropped((l) => {
      l.sent(1, l.startedAt + 5, "0xaa");
      l.sourceIncluded(1, KEY, l.startedAt + 9);
      l.vaaReady(1, KEY, l.startedAt + 9);
      l.relayerFetched(KEY, l.startedAt + 10);
    }),
    "not-submitted-by-relayer",
  ],
  [
    "submitted-not-delivered",
    dropped((l) => {
      l.sent(1, l.startedAt + 5, "0xaa");
      l.sourceIncluded(1, KEY, l.startedAt + 9);
      l.vaaReady(1, KEY, l.startedAt + 9);
      l.relayerFetched(KEY, l.startedAt + 10);
      l.relayerSubmitted(KEY, l.startedAt + 11);
    }),
    "submitted-not-delivered",
  ],
  [
    "source-rolled-back",
    dropped((l) => (l.sent(1, l.startedAt + 5, "0xaa"), l.sourceIncluded(1, KEY, l.startedAt + 9), l.sourceRolledBack(1))),
    "source-rolled-back",
  ],
  [
    "chain-halted",
    dropped(
      () => undefined,
      (l) => l.refused(1, l.startedAt + 5, { code: "chain-halted", detail: "stress-a made no block after height 12 for 4.0 s" }),
    ),
    "chain-halted: stress-a made no block after height 12 for 4.0 s",
  ],
  [
    "checktx",
    dropped(
      () => undefined,
      (l) => l.refused(1, l.startedAt + 5, new CheckTxError(20, "", "mempool is full").dropReason),
    ),
    "checktx: sdk code 20: mempool is full",
  ],
  [
    "deliver-tx",
    dropped(
      () => undefined,
      (l) => l.refused(1, l.startedAt + 5, { code: "deliver-tx", detail: "sdk code 5: 0stake is smaller than 1stake: insufficient funds" }),
    ),
    "deliver-tx: sdk code 5: 0stake is smaller than 1stake: insufficient funds",
  ],
  [
    "ibc-timeout",
    dropped(
      () => undefined,
      (l) => l.refused(1, l.startedAt + 5, { code: "ibc-timeout" }),
    ),
    "ibc-timeout",
  ],
  [
    "ibc-ack-error",
    dropped(
      () => undefined,
      (l) => l.refused(1, l.startedAt + 5, { code: "ibc-ack-error", detail: "ABCI code 1: error handling packet" }),
    ),
    "ibc-ack-error: ABCI code 1: error handling packet",
  ],
  [
    "ibc-acknowledged-without-receipt",
    dropped(
      () => undefined,
      (l) => l.refused(1, l.startedAt + 5, { code: "ibc-acknowledged-without-receipt" }),
    ),
    "ibc-acknowledged-without-receipt",
  ],
  [
    "ibc-packet-pending",
    dropped(
      () => undefined,
      (l) => l.refused(1, l.startedAt + 5, { code: "ibc-packet-pending", detail: "not received on stress-b, no timeout proven" }),
    ),
    "ibc-packet-pending: not received on stress-b, no timeout proven",
  ],
];

test("the drop_reason cell of messages.csv is `code` or `code: detail`, as before, for a record of every code", (t) => {
  for (const [code, record, expected] of cases) {
    t.is(record.status, "dropped", code);
    t.is(record.dropReason?.code, code);
    t.is(cell(record), expected, code);
  }
  t.deepEqual([...new Set(cases.map(([code]) => code))].toSorted(), [...DROP_CODES].toSorted(), "a case for every code");
  t.is(cell({ ...base, status: "delivered", deliveredAt: 5 }), "");
  // The old message text of a CheckTx refusal was its drop reason: the two still read the same.
  const refusal = new CheckTxError(12, "sdk", "memo too large");
  t.is(refusal.shortMessage, cell({ ...base, status: "dropped", dropReason: refusal.dropReason }));
});

test("every drop code is listed in README's Drop reasons, and every listed code exists", (t) => {
  const block = /<!-- drop-codes -->([\s\S]*?)<!-- \/drop-codes -->/.exec(README)?.[1];
  t.truthy(block, "README.md has no <!-- drop-codes --> … <!-- /drop-codes --> table");
  const listed = [...block!.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);
  t.deepEqual(listed, [...DROP_CODES], "README lists DROP_CODES, in their order");
});
