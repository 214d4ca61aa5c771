import { closeSync, createWriteStream, fstatSync, ftruncateSync, openSync, readSync, type WriteStream } from "node:fs";
import { basename } from "node:path";
import type { Anomaly, MessageRecord } from "../measure/record.ts";
import { HOPS, type Hop } from "../measure/hops.ts";
import type { StageSummary } from "../measure/stats.ts";
import { DEFAULT_RISK, stageRisk, type RiskSettings } from "../measure/risk.ts";
import type { StageJudgement } from "../measure/capacity.ts";

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
  "acknowledged_at_ms",
  "delay_ms",
  "delay_from_send_ms",
  "status",
  "drop_reason",
  "late",
  "late_onchain",
  "late_measured",
  "attempts",
  "out_of_order",
  "vaa_id",
  "source_tx",
  "delivery_tx",
] as const;

/** Columns of steps.csv, in order (documented in the README). */
export const STEP_COLUMNS = [
  "stage",
  "rate_from",
  "rate_to",
  "offered_rate",
  "duration_s",
  "offered",
  "sent",
  "not_sent",
  "delivered",
  "dropped",
  "duplicates",
  "duplicate_attempts",
  "phantom_deliveries",
  "late",
  "out_of_order",
  "delivered_rate",
  "p50_ms",
  "p90_ms",
  "p99_ms",
  "p999_ms",
  "max_ms",
  "min_ms",
  "mean_ms",
  "stddev_ms",
  "jitter_ms",
  "p99_from_send_ms",
  "in_flight_slope",
  "delay_slope",
  "delay_slope_low",
  "backlog_allowance",
  "observation_skew_p50_ms",
  "observation_skew_p99_ms",
  "height_skew_max",
  "send_lateness_p99_ms",
  "send_lateness_max_ms",
  "harness_cpu",
  "harness_loop_busy",
  "machine_cpu",
  "liquidation_triggers",
  "missed_liquidations",
  "late_liquidations",
  "liquidation_p99_ms",
  "shortfall_probability",
  "judged_as",
  "judged_at_ms",
  "judged_delivered",
  "judged_unfinished",
  "judged_liquidations",
  "judged_liquidations_missed",
  "sustainable",
  "failed_criteria",
  "drop_reasons",
  "faults",
] as const;

const ms = (v: number | undefined): string => (v === undefined ? "" : fixed1(v));
/** Four significant digits ("1.374e-5" when small, as Number() reads it back); "0" for zero. */
const probability = (v: number | undefined): string => (v === undefined ? "" : v === 0 ? "0" : String(Number(v.toPrecision(4))));

/**
 * A number with one decimal, like toFixed(1) but cheaper (messages.csv formats ten of
 * them per message). Rounds half away from zero on the value times ten, so at an exact
 * half-tenth it may differ from toFixed in the last digit (about once per million random
 * values); "-0.0" comes out as "0.0".
 */
export function fixed1(v: number): string {
  if (!(v < 1e15 && v > -1e15)) return v.toFixed(1);
  const magnitude = v < 0 ? -v : v;
  const tenths = Math.round(magnitude * 10);
  const whole = Math.floor(tenths / 10);
  const text = `${whole}.${tenths - whole * 10}`;
  return v < 0 && tenths !== 0 ? `-${text}` : text;
}

/** A messages.csv line as a string (tests, small writers); runs write through MessagesCsv. */
export function messageLine(r: MessageRecord): string {
  const buf = Buffer.allocUnsafe(messageLineBound(r));
  return buf.toString("utf8", 0, putMessageLine(buf, 0, r));
}

/** Bytes a record's line can take at most: fixed fields, plus free text quoted, quotes doubled, 3 bytes a character. */
function messageLineBound(r: MessageRecord): number {
  const free =
    r.kind.length +
    r.sourceChain.length +
    r.destinationChain.length +
    (r.dropReason?.length ?? 0) +
    (r.vaaKey?.length ?? 0) +
    (r.sendTxHash?.length ?? 0) +
    (r.deliveryTxHash?.length ?? 0);
  return 640 + 6 * free;
}

/**
 * Writes a record's messages.csv line into `buf` at `pos` (room for messageLineBound bytes
 * needed) and returns the end. Numbers are written digit by digit and text byte by byte:
 * no string is made per field, where formatting a line as a string made ~15 (and the
 * garbage collector's work that goes with them). Same text as csvLine(messageRow(r)).
 */
function putMessageLine(buf: Buffer, pos: number, r: MessageRecord): number {
  const delivered = r.status === "delivered";
  pos = putUint(buf, pos, r.id);
  buf[pos++] = COMMA;
  pos = putText(buf, pos, r.kind);
  buf[pos++] = COMMA;
  pos = putText(buf, pos, r.sourceChain);
  buf[pos++] = COMMA;
  pos = putText(buf, pos, r.destinationChain);
  buf[pos++] = COMMA;
  pos = putUint(buf, pos, r.stage);
  buf[pos++] = COMMA;
  pos = putMs(buf, pos, r.intendedAt);
  buf[pos++] = COMMA;
  pos = putMs(buf, pos, r.sentAt);
  buf[pos++] = COMMA;
  pos = putMs(buf, pos, r.sourceIncludedAt);
  buf[pos++] = COMMA;
  pos = putMs(buf, pos, r.vaaReadyAt);
  buf[pos++] = COMMA;
  pos = putMs(buf, pos, r.relayerFetchedAt);
  buf[pos++] = COMMA;
  pos = putMs(buf, pos, r.relayerSubmittedAt);
  buf[pos++] = COMMA;
  pos = putMs(buf, pos, delivered ? r.deliveredAt : undefined);
  buf[pos++] = COMMA;
  pos = putMs(buf, pos, r.acknowledgedAt);
  buf[pos++] = COMMA;
  pos = putMs(buf, pos, delivered ? r.deliveredAt! - r.intendedAt : undefined);
  buf[pos++] = COMMA;
  pos = putMs(buf, pos, delivered && r.sentAt !== undefined ? r.deliveredAt! - r.sentAt : undefined);
  buf[pos++] = COMMA;
  pos = putText(buf, pos, r.status);
  buf[pos++] = COMMA;
  if (r.dropReason !== undefined) pos = putText(buf, pos, r.dropReason);
  buf[pos++] = COMMA;
  if (r.late !== undefined) pos = putText(buf, pos, r.late ? "true" : "false");
  buf[pos++] = COMMA;
  if (r.lateOnchain !== undefined) pos = putText(buf, pos, r.lateOnchain ? "true" : "false");
  buf[pos++] = COMMA;
  if (r.lateMeasured !== undefined) pos = putText(buf, pos, r.lateMeasured ? "true" : "false");
  buf[pos++] = COMMA;
  pos = putUint(buf, pos, r.attempts);
  buf[pos++] = COMMA;
  pos = putText(buf, pos, r.outOfOrder ? "true" : "false");
  buf[pos++] = COMMA;
  if (r.vaaKey !== undefined) pos = putText(buf, pos, r.vaaKey);
  buf[pos++] = COMMA;
  if (r.sendTxHash !== undefined) pos = putText(buf, pos, r.sendTxHash);
  buf[pos++] = COMMA;
  if (r.deliveryTxHash !== undefined) pos = putText(buf, pos, r.deliveryTxHash);
  buf[pos++] = NEWLINE;
  return pos;
}

const COMMA = 44;
const NEWLINE = 10;
const ZERO = 48;

/** A non-negative integer's digits (anything else as String() gives it). */
function putUint(buf: Buffer, pos: number, n: number): number {
  if (!(n >= 0 && n <= Number.MAX_SAFE_INTEGER && Math.floor(n) === n)) return putText(buf, pos, String(n));
  if (n < 2147483648) return putDigits(buf, pos, n, digits31(n));
  // Larger: the part above the last nine digits first (below 2^31 too), then those nine.
  const high = Math.floor(n / 1e9);
  return putDigits(buf, putUint(buf, pos, high), n - high * 1e9, 9);
}

/**
 * The last `count` decimal digits of 0 ≤ n < 2^31, zero-padded, from 32-bit integer
 * division (several times faster than Math.floor on doubles).
 */
function putDigits(buf: Buffer, pos: number, n: number, count: number): number {
  const end = pos + count;
  let m = n;
  for (let i = end - 1; i >= pos; i--) {
    const q = (m / 10) | 0;
    buf[i] = ZERO + (m - q * 10);
    m = q;
  }
  return end;
}

/** Decimal digits of 0 ≤ n < 2^31. */
function digits31(n: number): number {
  if (n < 100_000) return n < 100 ? (n < 10 ? 1 : 2) : n < 1000 ? 3 : n < 10_000 ? 4 : 5;
  return n < 10_000_000 ? (n < 1_000_000 ? 6 : 7) : n < 100_000_000 ? 8 : n < 1_000_000_000 ? 9 : 10;
}

/** fixed1(v) as bytes; nothing for undefined. */
function putMs(buf: Buffer, pos: number, v: number | undefined): number {
  if (v === undefined) return pos;
  if (!(v < 1e15 && v > -1e15)) return putText(buf, pos, v.toFixed(1));
  const tenths = Math.round((v < 0 ? -v : v) * 10);
  const whole = tenths < 2147483648 ? (tenths / 10) | 0 : Math.floor(tenths / 10);
  if (v < 0 && tenths !== 0) buf[pos++] = 45; // "-"
  pos = putUint(buf, pos, whole);
  buf[pos++] = 46; // "."
  buf[pos++] = ZERO + (tenths - whole * 10);
  return pos;
}

/** A text field: ASCII without a comma, quote or line break byte by byte, anything else through text() as UTF-8. */
function putText(buf: Buffer, pos: number, field: string): number {
  const n = field.length;
  if (n > 12) {
    // Long fields (VAA ids, transaction hashes) in one native copy: a character loop is slow on
    // the concatenated strings they are built as.
    if (NEEDS_QUOTING.test(field)) return pos + buf.write(text(field), pos, "utf8");
    return pos + buf.write(field, pos, "latin1");
  }
  for (let i = 0; i < n; i++) {
    const c = field.charCodeAt(i);
    if (c >= 128 || c === 44 || c === 34 || c === 10 || c === 13) return pos - i + buf.write(text(field), pos - i, "utf8");
    buf[pos++] = c;
  }
  return pos;
}

/** A character that makes a field quoted (comma, quote, line break) or more than one byte. */
const NEEDS_QUOTING = /[,"\n\r\u0080-\uffff]/;

export function messageRow(r: MessageRecord): string[] {
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
    ms(r.acknowledgedAt),
    ms(delivered ? r.deliveredAt! - r.intendedAt : undefined),
    ms(delivered && r.sentAt !== undefined ? r.deliveredAt! - r.sentAt : undefined),
    r.status,
    r.dropReason ?? "",
    r.late === undefined ? "" : String(r.late),
    r.lateOnchain === undefined ? "" : String(r.lateOnchain),
    r.lateMeasured === undefined ? "" : String(r.lateMeasured),
    String(r.attempts),
    String(Boolean(r.outOfOrder)),
    r.vaaKey ?? "",
    r.sendTxHash ?? "",
    r.deliveryTxHash ?? "",
  ];
}

const slope = (v: number | undefined): string => (v === undefined ? "" : v.toFixed(4));

function stepRow(s: StageSummary, j: StageJudgement, risk: RiskSettings): string[] {
  const { failed, figures: f } = j;
  const r = stageRisk(s, risk);
  return [
    String(s.stage),
    String(s.startRate),
    String(s.endRate),
    String(s.offeredRate),
    String(s.durationS),
    String(s.offered),
    String(s.sent),
    String(s.notSent),
    String(s.delivered),
    String(s.dropped),
    String(s.duplicates),
    String(s.duplicateAttempts),
    String(s.phantoms),
    String(s.late),
    String(s.outOfOrder),
    s.deliveredRate.toFixed(2),
    ms(s.delay.percentile(50)),
    ms(s.delay.percentile(90)),
    ms(s.delay.percentile(99)),
    ms(s.delay.percentile(99.9)),
    ms(s.delay.percentile(100)),
    ms(s.delay.count ? s.delay.min : undefined),
    ms(s.delay.mean),
    ms(s.delay.stddev),
    ms(s.delay.jitter),
    ms(s.delayFromSend.percentile(99)),
    s.inFlightSlope === undefined ? "" : s.inFlightSlope.toFixed(2),
    slope(f.delaySlope),
    slope(f.delaySlopeLow),
    slope(f.backlogAllowance),
    ms(s.observationSkew.percentile(50)),
    ms(s.observationSkew.percentile(99)),
    s.heightSkewMax === undefined ? "" : String(s.heightSkewMax),
    ms(s.sendLateness.percentile(99)),
    ms(s.sendLateness.percentile(100)),
    s.harnessCpu === undefined ? "" : s.harnessCpu.toFixed(2),
    s.harnessLoopBusy === undefined ? "" : s.harnessLoopBusy.toFixed(2),
    s.machineCpu === undefined ? "" : s.machineCpu.toFixed(2),
    String(r.triggers),
    String(r.missed),
    String(r.late),
    ms(r.p99DelayMs),
    probability(r.shortfallProbability),
    j.judgedAs,
    ms(j.judgedAtMs),
    String(f.delivered),
    String(f.unfinished),
    String(f.liquidationOffered),
    String(f.liquidationMissed),
    String(failed.length === 0),
    failed.join(";"),
    [...s.dropReasons].map(([reason, n]) => `${reason}=${n}`).join(";"),
    j.faults,
  ];
}

const NEEDS_QUOTES = /[",\r\n]/;

/** One field, quoted (quotes doubled) when it holds a comma, quote or line break. */
function text(field: string): string {
  return NEEDS_QUOTES.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** One CSV line (RFC 4180): a field with a comma, quote or line break is quoted, its quotes doubled. */
export function csvLine(fields: readonly string[]): string {
  let line = "";
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (i > 0) line += ",";
    line += text(field);
  }
  return `${line}\n`;
}

/**
 * A CSV file written as a run goes (constant memory): the header at once, then rows in
 * batches that leave when full or at least once a second, so a crash loses at most a second.
 * A write that fails (disk full, a file size limit) does not end the run: the file is cut back
 * to the whole rows written before it, later rows are dropped, and `failure` says what happened.
 */
abstract class CsvFile {
  protected readonly out: WriteStream;
  private readonly done: Promise<unknown>;
  private readonly timer: NodeJS.Timeout;
  /** Why the file is incomplete, naming it and how much of it was written; undefined while all is well. */
  failure: string | undefined;

  constructor(
    readonly path: string,
    columns: readonly string[],
    highWaterMark?: number,
  ) {
    this.out = createWriteStream(path, { highWaterMark });
    // "close" follows both the end of the file and a failed write (events.once would reject on the error).
    this.done = new Promise<void>((resolve) => this.out.once("close", () => resolve()));
    this.out.on("error", (err: NodeJS.ErrnoException) => this.failed(err));
    this.timer = setInterval(() => this.flush(), 1000);
    this.timer.unref();
    // An empty run still gets its header.
    this.put(csvLine(columns));
  }

  /** Hands a chunk of whole lines to the file (dropped once a write failed). */
  protected put(chunk: string | Buffer): void {
    if (this.failure === undefined && !this.out.destroyed) this.out.write(chunk);
  }

  private failed(err: NodeJS.ErrnoException): void {
    if (this.failure !== undefined) return;
    clearInterval(this.timer);
    const written = this.out.bytesWritten;
    // A short write may have left half a row; cutting back to the last whole row keeps the file valid CSV.
    const kept = cutToLastLine(this.path, written);
    const cut = kept === undefined || kept === written ? "" : `; cut back to its first ${kept} bytes, whole rows only`;
    this.failure = `${basename(this.path)}: ${err.code ?? "write error"} (${err.message}) after ${written} bytes written${cut}; later rows are not in it`;
  }

  /** Resolves once the file has taken what was written so far (backpressure for bulk writers). */
  async drained(): Promise<void> {
    if (!this.out.writableNeedDrain || this.out.destroyed) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.out.off("drain", done).off("close", done);
        resolve();
      };
      this.out.on("drain", done).on("close", done);
    });
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.flush();
    if (!this.out.destroyed) this.out.end();
    await this.done;
  }

  /** Hands the batch so far to the file. */
  protected abstract flush(): void;
}

/**
 * Truncates a regular file to the end of its last whole line within its first `size` bytes;
 * returns its new size (undefined for a device or a file that cannot be read).
 */
function cutToLastLine(path: string, size: number): number | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r+");
    if (!fstatSync(fd).isFile()) return undefined;
    const window = Buffer.allocUnsafe(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - window.length);
      const read = readSync(fd, window, 0, end - start, start);
      const newline = window.subarray(0, read).lastIndexOf(0x0a);
      if (newline >= 0) {
        ftruncateSync(fd, start + newline + 1);
        return start + newline + 1;
      }
      end = start;
    }
    ftruncateSync(fd, 0);
    return 0;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A CSV file of rows given as fields (see CsvFile). */
export class CsvStream<T> extends CsvFile {
  private batch = "";
  private rows = 0;

  constructor(
    path: string,
    columns: readonly string[],
    private readonly toRow: (row: T) => string[],
  ) {
    super(path, columns);
  }

  write(row: T): void {
    this.batch += csvLine(this.toRow(row));
    if (++this.rows >= 512) this.flush();
  }

  protected flush(): void {
    if (!this.rows) return;
    this.put(this.batch);
    this.batch = "";
    this.rows = 0;
  }
}

/** ~700 lines of a typical run. */
const MESSAGES_BUFFER_BYTES = 256 * 1024;

/** messages.csv written as a run goes: lines are encoded into a buffer (putMessageLine) that goes to the file when full or at least once a second. */
export class MessagesCsv extends CsvFile {
  private buf: Buffer = Buffer.allocUnsafe(MESSAGES_BUFFER_BYTES);
  private pos = 0;

  constructor(path: string) {
    // drained() waits only once a few buffers are queued: the file is written while the run goes on.
    super(path, MESSAGE_COLUMNS, 4 * MESSAGES_BUFFER_BYTES);
  }

  write(r: MessageRecord): void {
    const bound = messageLineBound(r);
    if (this.pos + bound > this.buf.length) this.flush(bound);
    this.pos = putMessageLine(this.buf, this.pos, r);
  }

  /** Hands the filled part to the file and starts a new buffer with room for at least `room` bytes. */
  protected flush(room = 0): void {
    if (this.pos === 0 && room <= this.buf.length) return;
    if (this.pos > 0) this.put(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(Math.max(MESSAGES_BUFFER_BYTES, room));
    this.pos = 0;
  }
}

/** Columns of anomalies.csv: duplicates and events that matched no message. */
export const ANOMALY_COLUMNS = ["at_ms", "kind", "message_id", "stage", "detail"] as const;

export function anomalyRow(a: Anomaly): string[] {
  return [ms(a.at), a.kind, a.messageId === undefined ? "" : String(a.messageId), a.stage === undefined ? "" : String(a.stage), a.detail];
}

/** A CSV file that could not be written in full; the message names the file and how much of it was written. */
export class OutputError extends Error {}

async function writeCsv<T>(path: string, columns: readonly string[], rows: Iterable<T>, toRow: (row: T) => string[]): Promise<void> {
  const csv = new CsvStream(path, columns, toRow);
  for (const row of rows) csv.write(row);
  await csv.close();
  if (csv.failure !== undefined) throw new OutputError(csv.failure);
}

/** `judgements[i]`: stage i's verdict, made once (judgeStage; the faults that overlapped it are in it). */
export function writeStepsCsv(path: string, stages: StageSummary[], judgements: StageJudgement[], risk: RiskSettings = DEFAULT_RISK): Promise<void> {
  return writeCsv(path, STEP_COLUMNS, stages, (s) => stepRow(s, judgements[s.stage]!, risk));
}

/** Columns of hops.csv: one row per stage and hop of the message path (hops no message of the run took, such as IBC's on a Wormhole run, are left out). */
export const HOP_COLUMNS = ["stage", "hop", "count", "p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms", "mean_ms", "stddev_ms"] as const;

export function writeHopsCsv(path: string, stages: StageSummary[]): Promise<void> {
  const all = Object.keys(HOPS) as Hop[];
  const taken = all.filter((hop) => stages.some((s) => s.hops[hop].count > 0));
  const hops = taken.length ? taken : all;
  const rows = stages.flatMap((s) => hops.map((hop) => ({ stage: s.stage, hop, h: s.hops[hop] })));
  return writeCsv(path, HOP_COLUMNS, rows, ({ stage, hop, h }) => [
    String(stage),
    hop,
    String(h.count),
    ms(h.percentile(50)),
    ms(h.percentile(90)),
    ms(h.percentile(99)),
    ms(h.percentile(99.9)),
    ms(h.percentile(100)),
    ms(h.mean),
    ms(h.stddev),
  ]);
}

/** Writes a CSV of plain records; columns in the order of the first record's keys unless given (an empty file still gets its header). */
export function writeRecordsCsv(path: string, rows: Array<Record<string, string | number | boolean | undefined>>, header?: string[]): Promise<void> {
  const columns = header ?? Object.keys(rows[0] ?? {});
  return writeCsv(path, columns, rows, (row) => columns.map((c) => (row[c] === undefined ? "" : String(row[c]))));
}
