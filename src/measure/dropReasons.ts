/**
 * Why a message was dropped: a code from a closed list and, for some codes, free text (the
 * node's or relayer's words, the hop's details). messages.csv writes it as `code` or
 * `code: detail`; steps.csv and the summary count drops by code. README "Drop reasons" lists
 * every code (src/measure/dropReasons.test.ts checks the two lists match).
 */
export const DROP_CODES = [
  // Stalled: the last hop a message reached when the drain closed (stallReason, src/measure/record.ts).
  "not-sent",
  "send-failed",
  "not-included-on-source",
  "vaa-id-reused",
  "no-quorum",
  "reobservation-pending",
  "relayer-gave-up",
  "vaa-not-fetched-by-relayer",
  "not-submitted-by-relayer",
  "submitted-not-delivered",
  // Dropped at once by what a chain reported.
  "source-rolled-back",
  "chain-halted",
  "checktx",
  "deliver-tx",
  "ibc-timeout",
  "ibc-ack-error",
  "ibc-acknowledged-without-receipt",
  // Stalled on the IBC path (src/bridges/ibc/path.ts settle): included, neither acknowledged nor timed out.
  "ibc-packet-pending",
] as const;

export type DropCode = (typeof DROP_CODES)[number];

export interface DropReason {
  code: DropCode;
  /** Free text after the code; absent for codes that say it all. */
  detail?: string;
}

/** The drop_reason cell of messages.csv: `code`, or `code: detail`. */
export const dropReasonText = (reason: DropReason): string => (reason.detail === undefined ? reason.code : `${reason.code}: ${reason.detail}`);
