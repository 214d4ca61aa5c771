import { z } from "zod";

/**
 * Faults on the run's timeline. Each starts `at` after the run starts and heals `for`
 * later. Guardians are taken from the end of the set (the last `count` indices), so the
 * same scenario always hits the same guardians.
 */
export type FaultSpec =
  | { kind: "guardians-offline"; atS: number; forS: number; count: number }
  | { kind: "guardian-delay"; atS: number; forS: number; count: number; ms: number; jitterMs: number }
  | { kind: "guardians-withhold"; atS: number; forS: number; count: number }
  | { kind: "gossip-partition"; atS: number; forS: number; split: number | undefined }
  | { kind: "rpc-latency"; atS: number; forS: number; target: string; ms: number; jitterMs: number }
  | { kind: "rpc-bandwidth"; atS: number; forS: number; target: string; kbps: number }
  | { kind: "rpc-timeout"; atS: number; forS: number; target: string; ms: number }
  | { kind: "rpc-reset"; atS: number; forS: number; target: string; ms: number }
  | { kind: "rpc-outage"; atS: number; forS: number; target: string }
  | { kind: "gas-spike"; atS: number; forS: number; target: string; gwei: number }
  | { kind: "block-time"; atS: number; forS: number; target: string; ms: number }
  | { kind: "reorg"; atS: number; forS: number; target: string; depth: number }
  | { kind: "congestion"; atS: number; forS: number; target: string; share: number; priorityGwei: number; maxFeeGwei: number }
  | { kind: "validators-offline"; atS: number; forS: number; target: string; count: number }
  | { kind: "validators-partition"; atS: number; forS: number; target: string; count: number }
  | { kind: "relayer-restart"; atS: number; forS: number };

export type FaultKind = FaultSpec["kind"];

/** What each kind models, for the README and error messages. */
export const FAULT_KINDS: Record<FaultKind, string> = {
  "guardians-offline": "the last `count` guardians stop observing and signing",
  "guardian-delay": "the last `count` guardians observe (and so sign) `ms` (+ uniform 0…`jitterMs`) late",
  "guardians-withhold": "the last `count` guardians observe but never share their signatures",
  "gossip-partition": "gossip splits into guardians [0, split) and [split, n); signatures meet again at the heal",
  "rpc-latency": "every request to `target` (a chain's RPC or the vaa-api) is held `ms` (+ up to `jitterMs`) before it arrives",
  "rpc-bandwidth": "`target`'s responses are throttled to `kbps` kilobytes per second",
  "rpc-timeout": "`target` stops answering; connections close after `ms` (0: never)",
  "rpc-reset": "connections to `target` are reset (TCP RST) `ms` after they open",
  "rpc-outage": "`target` refuses every connection",
  "gas-spike": "chain `target`'s base fee is held at `gwei`",
  "block-time": "chain `target` produces a block every `ms`",
  congestion:
    "other accounts send `share` × the block gas limit of gas-burning transactions to chain `target` every block, tipping `priorityGwei` with max fee `maxFeeGwei`; above 1 demand exceeds block space",
  "validators-offline":
    "the last `count` validators of Cosmos localnet `target` are stopped and started again `for` later; with more than a third down the chain halts",
  "validators-partition":
    "the last `count` validators of Cosmos localnet `target` are cut off from the others (their p2p links through the fault proxy go down) and reconnected `for` later",
  reorg:
    "source chain `target` replaces its last `depth` blocks with empty ones (anvil_reorg): their messages are rolled back; instant-level ones guardians already signed are delivered anyway (phantom deliveries)",
  "relayer-restart": "the relayer process is killed with SIGKILL and started again `for` later from its checkpoint",
};

/** Faults that act on a chain itself (its node), not on links or guardians. */
export const CHAIN_FAULTS = new Set<FaultKind>(["gas-spike", "block-time", "reorg", "congestion"]);

/** Faults of Cosmos localnets (bridges cosmos and ibc); every other kind acts on the Wormhole stack. */
export const COSMOS_FAULTS = new Set<FaultKind>(["validators-offline", "validators-partition"]);

/** Faults that act on network links through the fault proxy. */
export const NETWORK_FAULTS = new Set<FaultKind>(["rpc-latency", "rpc-bandwidth", "rpc-timeout", "rpc-reset", "rpc-outage"]);

/** zod schema of one fault; `duration` parses "10s"-style durations into seconds. */
export function faultSchema(duration: z.ZodType<number>, count: z.ZodType<number>) {
  const timing = { at: duration, for: duration };
  const target = z.string({ error: 'must be a chain of the scenario (e.g. "Arbitrum") or "vaa-api"' });
  const ms = () => z.number({ error: "must be a number of ms ≥ 0" }).min(0, { error: "must be a number of ms ≥ 0" });
  return z.discriminatedUnion(
    "kind",
    [
      z.strictObject({ kind: z.literal("guardians-offline"), ...timing, count }),
      z.strictObject({
        kind: z.literal("guardian-delay"),
        ...timing,
        count,
        ms: z.number({ error: "must be a number of ms ≥ 0" }).min(0),
        jitterMs: z.number({ error: "must be a number of ms ≥ 0" }).min(0).default(0),
      }),
      z.strictObject({ kind: z.literal("guardians-withhold"), ...timing, count }),
      z.strictObject({ kind: z.literal("gossip-partition"), ...timing, split: count.optional() }),
      z.strictObject({ kind: z.literal("rpc-latency"), ...timing, target, ms: ms(), jitterMs: ms().default(0) }),
      z.strictObject({ kind: z.literal("rpc-bandwidth"), ...timing, target, kbps: z.number({ error: "must be a number of KB/s > 0" }).positive() }),
      z.strictObject({ kind: z.literal("rpc-timeout"), ...timing, target, ms: ms().default(0) }),
      z.strictObject({ kind: z.literal("rpc-reset"), ...timing, target, ms: ms().default(0) }),
      z.strictObject({ kind: z.literal("rpc-outage"), ...timing, target }),
      z.strictObject({ kind: z.literal("gas-spike"), ...timing, target, gwei: z.number({ error: "must be a number of gwei > 0" }).positive() }),
      z.strictObject({ kind: z.literal("block-time"), ...timing, target, ms: z.number({ error: "must be a number of ms ≥ 10" }).min(10) }),
      z.strictObject({ kind: z.literal("relayer-restart"), ...timing }),
      z.strictObject({ kind: z.literal("validators-offline"), ...timing, target, count }),
      z.strictObject({ kind: z.literal("validators-partition"), ...timing, target, count }),
      z.strictObject({
        kind: z.literal("congestion"),
        ...timing,
        target,
        share: z
          .number({ error: "must be a share of the block gas limit > 0 (e.g. 0.5, or 1.5 for more demand than fits)" })
          .positive({ error: "must be a share of the block gas limit > 0 (e.g. 0.5, or 1.5 for more demand than fits)" })
          .max(10, { error: "must be at most 10 (10 blocks' worth of gas a block)" }),
        priorityGwei: z.number({ error: "must be a number of gwei ≥ 0" }).min(0, { error: "must be a number of gwei ≥ 0" }).default(10),
        // anvil orders pending transactions by max fee per gas (not by effective tip): this is what outbids.
        maxFeeGwei: z.number({ error: "must be a number of gwei > 0" }).positive({ error: "must be a number of gwei > 0" }).default(100_000),
      }),
      // A reorg happens at one moment: `for` is accepted but has no effect.
      z.strictObject({
        kind: z.literal("reorg"),
        at: duration,
        for: duration.optional().default(0),
        target,
        depth: z
          .number({ error: "must be a whole number of blocks ≥ 1" })
          .int({ error: "must be a whole number of blocks ≥ 1" })
          .min(1, { error: "must be a whole number of blocks ≥ 1" }),
      }),
    ],
    { error: `must be one of ${Object.keys(FAULT_KINDS).join(", ")}` },
  );
}

export function toFaultSpec(raw: { kind: FaultKind; at: number; for: number } & Record<string, unknown>): FaultSpec {
  const { at, for: forS, ...rest } = raw;
  return { ...rest, atS: at, forS } as FaultSpec;
}
