/**
 * The harness's errors. Every error class a user can meet extends BridgeStressError and declares
 * two static fields: `code`, a stable kebab-case name scripts and CI can match on, and `docs`, the
 * README section that explains it (`README.md#<anchor>`; src/infra/errors.test.ts checks that every
 * anchor is a heading of README.md and that no two classes share a code).
 *
 * `message` is the short message followed by one line `[<code>] see <docs>`, so whoever prints an
 * error (the CLI prints `bridge-stress: <message>`) shows where to read on. Text that goes into a
 * report (a drop reason, a manifest status, an events.csv line) takes `shortMessage` through
 * messageOf(), so the reports read as before the line was added.
 */
export class BridgeStressError extends Error {
  /** Stable kebab-case name of the error; each subclass declares its own. */
  static readonly code: string = "bridge-stress-error";
  /** The README section that explains it, `README.md#<anchor>`; each subclass declares its own. */
  static readonly docs: string = "README.md#errors";

  readonly code: string;
  readonly docs: string;
  /** The message without the README line. */
  readonly shortMessage: string;
  /** What went wrong underneath, as text (e.g. a tool's stderr); also shown in the message. */
  readonly details: string | undefined;

  constructor(shortMessage: string, options: { details?: string; cause?: unknown } = {}) {
    const { code, docs } = new.target;
    const details = options.details === undefined ? "" : `\n${options.details}`;
    super(`${shortMessage}${details}\n${docsLine(code, docs)}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.docs = docs;
    this.shortMessage = `${shortMessage}${details}`;
    this.details = options.details;
  }
}

/** The last line of a BridgeStressError's message. */
export const docsLine = (code: string, docs: string): string => `[${code}] see ${docs}`;

/** An error's message without the README line (any thrown value): what reports and drop reasons carry. */
export function messageOf(err: unknown): string {
  if (err instanceof BridgeStressError) return err.shortMessage;
  return err instanceof Error ? err.message : String(err);
}
