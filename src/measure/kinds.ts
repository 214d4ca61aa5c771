/**
 * The kinds of message the load offers: the application's triggers, not the bridge's. The
 * scenario's `mix` and `deadlineMs` are keyed by them and the ledger records one per message;
 * a bridge encodes them in its payload (src/load/payload.ts gives each its on-chain code).
 */
export const TRIGGER_KINDS = ["liquidation", "order", "cancel", "spam"] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];
