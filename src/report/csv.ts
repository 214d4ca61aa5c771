import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { stringify } from "csv-stringify";
import type { MessageRecord } from "../measure/ledger.ts";
import type { StageSummary } from "../measure/stats.ts";

/** Columns of messages.csv, in order (documented in the README). */
export const MESSAGE_COLUMNS = [
  "message_id",
  "kind",
  "source_chain",
  "destination_chain",
  "stage",
  "intended_at_ms",
  "sent_at_ms",
  "source_included_at_ms",
  "vaa_ready_at_ms",
  "relayer_fetched_at_ms",
  "relayer_submitted_at_ms",
  "delivered_at_ms",
  "delay_ms",
  "delay_from_send_ms",
  "status",
  "drop_reason",
  "late",
  "attempts",
  "duplicate_attempts",
  "duplicate_deliveries",
  "vaa_id",
  "source_tx",
  "delivery_tx",
] as const;

/** Columns of steps.csv, in order (documented in the README). */
export const STEP_COLUMNS = [
  "stage",
  "offered_rate",
  "duration_s",
  "offered",
  "sent",
  "delivered",
  "dropped",
  "duplicates",
  "duplicate_attempts",
  "late",
  "p50_ms",
  "p90_ms",
  "p99_ms",
  "max_ms",
  "send_lateness_p99_ms",
  "drop_reasons",
] as const;

const ms = (v: number | undefined): string => (v === undefined ? "" : v.toFixed(1));

function messageRow(r: MessageRecord): string[] {
  const delivered = r.status === "delivered";
  return [
    String(r.id),
    r.kind,
    r.sourceChain,
    r.destinationChain,
    String(r.stage),
    ms(r.intendedAt),
    ms(r.sentAt),
    ms(r.sourceIncludedAt),
    ms(r.vaaReadyAt),
    ms(r.relayerFetchedAt),
    ms(r.relayerSubmittedAt),
    ms(delivered ? r.deliveredAt : undefined),
    ms(delivered ? r.deliveredAt! - r.intendedAt : undefined),
    ms(delivered && r.sentAt !== undefined ? r.deliveredAt! - r.sentAt : undefined),
    r.status,
    r.dropReason ?? "",
    r.late === undefined ? "" : String(r.late),
    String(r.attempts),
    String(r.duplicateAttempts),
    String(r.duplicateDeliveries),
    r.vaaKey ?? "",
    r.sendTxHash ?? "",
    r.deliveryTxHash ?? "",
  ];
}

function stepRow(s: StageSummary): string[] {
  return [
    String(s.stage),
    String(s.offeredRate),
    String(s.durationS),
    String(s.offered),
    String(s.sent),
    String(s.delivered),
    String(s.dropped),
    String(s.duplicates),
    String(s.duplicateAttempts),
    String(s.late),
    ms(s.p50),
    ms(s.p90),
    ms(s.p99),
    ms(s.max),
    ms(s.sendLatenessP99),
    [...s.dropReasons].map(([reason, n]) => `${reason}=${n}`).join(";"),
  ];
}

async function writeCsv<T>(path: string, columns: readonly string[], rows: Iterable<T>, toRow: (row: T) => string[]): Promise<void> {
  const out = createWriteStream(path);
  const csv = stringify({ header: true, columns: [...columns] });
  csv.pipe(out);
  for (const row of rows) {
    if (!csv.write(toRow(row))) await once(csv, "drain");
  }
  csv.end();
  await once(out, "finish");
}

export function writeMessagesCsv(path: string, records: Iterable<MessageRecord>): Promise<void> {
  return writeCsv(path, MESSAGE_COLUMNS, records, messageRow);
}

export function writeStepsCsv(path: string, stages: StageSummary[]): Promise<void> {
  return writeCsv(path, STEP_COLUMNS, stages, stepRow);
}
