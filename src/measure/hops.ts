import type { MessageRecord } from "./record.ts";

/**
 * The hops of a message's path, in path order, each named by the time it ends at. A hop runs
 * from the previous time the record knows (starting at intended_at) to its own end; a hop
 * whose end time the record lacks is left out and its time falls into the next hop present.
 * So the hops up to the delivery add up to delay_ms for every delivered message.
 */
export const HOPS = {
  /** → sent_at: the load generator's own lag. */
  send: "intended → sent",
  /** → source_included_at. */
  source_inclusion: "→ first sighting in a source block",
  /** → vaa_ready_at (Wormhole). */
  guardian_quorum: "→ guardian quorum (VAA signed)",
  /** → relayer_submitted_at (relayers that report it). */
  relayer_pickup: "→ the relayer's first submission",
  /** → delivered_at (Wormhole; Cosmos, where the including block is the delivery). */
  destination_inclusion: "→ delivery on the destination",
  /** → delivered_at (IBC: recv_packet on the destination). */
  ibc_receive: "→ packet received on the destination",
  /** IBC: delivered_at → acknowledged_at, after the delivery (not part of delay_ms). */
  ibc_acknowledgement: "received → acknowledgement recorded on the source",
} as const;
export type Hop = keyof typeof HOPS;

/**
 * Hands each hop of a delivered message to `into[hop].record(ms)` (the rule at HOPS). IBC
 * messages (those with acknowledged_at) end in ibc_receive, then ibc_acknowledgement;
 * every other delivery ends in destination_inclusion.
 */
export function recordHops(r: MessageRecord, into: Record<Hop, { record(ms: number): void }>): void {
  if (r.deliveredAt === undefined) return;
  let from = r.intendedAt;
  if (r.sentAt !== undefined) {
    into.send.record(r.sentAt - from);
    from = r.sentAt;
  }
  if (r.sourceIncludedAt !== undefined) {
    into.source_inclusion.record(r.sourceIncludedAt - from);
    from = r.sourceIncludedAt;
  }
  if (r.vaaReadyAt !== undefined) {
    into.guardian_quorum.record(r.vaaReadyAt - from);
    from = r.vaaReadyAt;
  }
  if (r.relayerSubmittedAt !== undefined) {
    into.relayer_pickup.record(r.relayerSubmittedAt - from);
    from = r.relayerSubmittedAt;
  }
  if (r.acknowledgedAt === undefined) into.destination_inclusion.record(r.deliveredAt - from);
  else {
    into.ibc_receive.record(r.deliveredAt - from);
    into.ibc_acknowledgement.record(r.acknowledgedAt - r.deliveredAt);
  }
}

/** A delivered message's hops as an object (tests, readers); the run records them with recordHops. */
export function messageHops(r: MessageRecord): Partial<Record<Hop, number>> {
  const out: Partial<Record<Hop, number>> = {};
  const into = Object.fromEntries((Object.keys(HOPS) as Hop[]).map((hop) => [hop, { record: (ms: number) => void (out[hop] = ms) }]));
  recordHops(r, into as Record<Hop, { record(ms: number): void }>);
  return out;
}
