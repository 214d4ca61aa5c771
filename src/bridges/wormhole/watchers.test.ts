import test from "ava";
import type { Hex } from "viem";
import { Ledger } from "../../measure/ledger.ts";
import type { MessageRecord } from "../../measure/record.ts";
import type { QuorumState } from "./guardians/guardianNetwork.ts";
import { dropShortOfQuorum } from "./watchers.ts";

const tx = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex;

/** Three messages in source blocks without a VAA: one waiting for re-observation, one given up, one the network knows nothing of. */
function run(states: Record<string, QuorumState | undefined>) {
  const ledger = new Ledger();
  const final: MessageRecord[] = [];
  ledger.onFinal = (r) => final.push(r);
  ledger.start(0);
  for (const id of [1, 2, 3]) {
    ledger.plan({ id, kind: "liquidation", sourceChain: "Ethereum", destinationChain: "Base", stage: 0, intendedAt: 0 });
    ledger.sent(id, 5, tx(id));
    ledger.sourceIncluded(id, `2/${"00".repeat(32)}/${id}`, 9);
  }
  dropShortOfQuorum({ quorum: 13, quorumState: (h: Hex) => states[h] }, ledger);
  return { ledger, final };
}

test("at the drain's end a message waiting for re-observation is dropped reobservation-pending, a given-up one no-quorum with how far it got; the rest are left to the stall reason", (t) => {
  const { ledger, final } = run({
    [tx(1)]: { state: "waiting", signatures: 12, requests: 0, nextRequestInMs: 291_400 },
    [tx(2)]: { state: "given-up", signatures: 9, afterMs: 108_000_500 },
  });
  t.deepEqual(
    final.map((r) => [r.id, r.dropReason]),
    [
      [1, { code: "reobservation-pending", detail: "12 of 13 signatures; 0 re-observation requests made, the next due in 291.4 s" }],
      [2, { code: "no-quorum", detail: "9 of 13 signatures; re-observation gave up after 108000.5 s" }],
    ],
  );
  ledger.closeDrain();
  t.deepEqual(final.at(-1)!.dropReason, { code: "no-quorum" }, "re-observation off: the ledger's stall reason");
});
