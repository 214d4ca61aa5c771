import test from "ava";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import type { MessageRecord } from "../measure/ledger.ts";
import { CsvStream, csvLine, MESSAGE_COLUMNS, messageLine, messageRow } from "./csv.ts";

const tricky = ["plain", "with, comma", 'with "quotes"', "line\nbreak", "carriage\rreturn", "", " spaced ", "relayer-gave-up: send failed: nonce too low; max fee 200"];

test("csvLine quotes only what needs it, and csv-parse reads every field back unchanged", (t) => {
  t.is(csvLine(["a", "b", ""]), "a,b,\n");
  t.is(csvLine(['say "hi", then go']), '"say ""hi"", then go"\n');
  t.deepEqual(parse(csvLine(tricky)), [tricky]);
});

test("a CsvStream writes its header even when empty, and every row in order", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "csv-"));
  const empty = new CsvStream<string[]>(join(dir, "empty.csv"), ["a", "b"], (r) => r);
  await empty.close();
  t.is(readFileSync(join(dir, "empty.csv"), "utf8"), "a,b\n");
  const full = new CsvStream<string[]>(join(dir, "full.csv"), ["n", "text"], (r) => r);
  const rows = Array.from({ length: 1500 }, (_, i) => [String(i), tricky[i % tricky.length]!]);
  for (const row of rows) full.write(row);
  await full.close();
  t.deepEqual(parse(readFileSync(join(dir, "full.csv")), { columns: true }), rows.map(([n, text]) => ({ n, text })));
});

test("messageLine formats a record exactly as the generic path (fields, then csvLine) does", (t) => {
  const base: MessageRecord = {
    id: 7, kind: "liquidation", sourceChain: "Ethereum", destinationChain: "Base", stage: 2, intendedAt: 1200, attempts: 0, status: "in-flight",
  };
  const records: MessageRecord[] = [
    base,
    { ...base, sentAt: 1200.04, sourceIncludedAt: 1450.26, vaaKey: "2/00ab/9", vaaReadyAt: 1460, relayerFetchedAt: 1470.5, relayerSubmittedAt: 1480, attempts: 1, deliveredAt: 1700.55, deliveryTxHash: "0xdd", sendTxHash: "0xss", late: false, status: "delivered" },
    { ...base, sentAt: 1201, status: "dropped", dropReason: 'relayer-gave-up: send failed: "nonce too low", retry\nlater', late: true, outOfOrder: true },
    { ...base, status: "delivered", deliveredAt: 1300, acknowledgedAt: 1400 },
  ];
  for (const r of records) t.is(messageLine(r), csvLine(messageRow(r)));
  t.is(messageLine(records[1]!).split(",").length, MESSAGE_COLUMNS.length);
});
