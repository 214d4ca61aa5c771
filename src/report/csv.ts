import { closeSync, createWriteStream, fstatSync, ftruncateSync, openSync, readSync, type WriteStream } from "node:fs";
import { basename, join } from "node:path";
import { stringify, type Stringifier } from "csv-stringify";
import type { CsvTable } from "./csvTable.ts";
import { BridgeStressError } from "../infra/errors.ts";

/** A CSV file that could not be written in full; the message names the file and how much of it was written. */
export class OutputError extends BridgeStressError {
  static override readonly code = "output-not-written";
  static override readonly docs = "README.md#what-npm-run-stress-does";
}

/** What the file buffers before the stringifier waits for it: the file is written while a run goes on. */
const FILE_BUFFER_BYTES = 1024 * 1024;

/**
 * A CSV file written as a run goes (constant memory): rows of a table (tables.ts) through
 * csv-stringify's stream (RFC 4180: a field with a comma, quote or line break quoted, its
 * quotes doubled) into the file. The header is written at once, so even an empty or killed
 * run's file has it. A write that fails (disk full, a file size limit) does not end the run:
 * the file is cut back to the whole rows written before it, later rows are dropped, and
 * `failure` says what happened.
 */
export class CsvStream<T> {
  private readonly out: WriteStream;
  private readonly csv: Stringifier;
  private readonly done: Promise<unknown>;
  private readonly toRow: (record: T) => string[];
  /** Why the file is incomplete, naming it and how much of it was written; undefined while all is well. */
  failure: string | undefined;

  constructor(
    readonly path: string,
    table: Pick<CsvTable<T>, "columns" | "row">,
  ) {
    this.toRow = table.row;
    this.out = createWriteStream(path, { highWaterMark: FILE_BUFFER_BYTES });
    // "close" follows both the end of the file and a failed write (events.once would reject on the error).
    this.done = new Promise<void>((resolve) => this.out.once("close", () => resolve()));
    this.out.on("error", (err: NodeJS.ErrnoException) => this.failed(err));
    this.csv = stringify({ eof: true });
    this.csv.on("error", (err: NodeJS.ErrnoException) => this.failed(err));
    // pipe() stops at a failed write (the file's "error" unpipes it); write() then drops rows.
    this.csv.pipe(this.out);
    this.csv.write([...table.columns]);
  }

  /** Opens `dir`/the table's file. */
  static open<T>(dir: string, table: CsvTable<T>): CsvStream<T> {
    return new CsvStream(join(dir, table.file), table);
  }

  write(record: T): void {
    if (this.failure === undefined && !this.out.destroyed) this.csv.write(this.toRow(record));
  }

  private failed(err: NodeJS.ErrnoException): void {
    if (this.failure !== undefined) return;
    const written = this.out.bytesWritten;
    // A short write may have left half a row; cutting back to the last whole row keeps the file valid CSV.
    const kept = cutToLastLine(this.path, written);
    const cut = kept === undefined || kept === written ? "" : `; cut back to its first ${kept} bytes, whole rows only`;
    this.failure = `${basename(this.path)}: ${err.code ?? "write error"} (${err.message}) after ${written} bytes written${cut}; later rows are not in it`;
    this.out.destroy();
  }

  /** Resolves once the stream has taken what was written so far (backpressure for bulk writers). */
  async drained(): Promise<void> {
    if (!this.csv.writableNeedDrain || this.out.destroyed) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.csv.off("drain", done);
        this.out.off("close", done);
        resolve();
      };
      this.csv.on("drain", done);
      this.out.on("close", done);
    });
  }

  /** Ends the file; resolves once it is closed (written in full, or failed: see `failure`). */
  async close(): Promise<void> {
    if (this.out.destroyed) this.csv.destroy();
    else this.csv.end();
    await this.done;
  }
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

/** Writes a whole table into `dir` (an empty one still gets its header); throws an OutputError when the file cannot be written in full. */
export async function writeCsv<T>(dir: string, table: CsvTable<T>, records: Iterable<T>): Promise<void> {
  const csv = CsvStream.open(dir, table);
  for (const record of records) csv.write(record);
  await csv.close();
  if (csv.failure !== undefined) throw new OutputError(csv.failure);
}
