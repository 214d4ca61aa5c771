import { toHex, type Hex } from "viem";
import { now } from "../../../infra/clock.ts";
import type { SeenMessage } from "./guardian.ts";

// What the guardian unit tests hand to guardians in place of a chain observer.

/** The emitter of the test messages (32 bytes). */
export const TEST_EMITTER: Hex = `0x${"00".repeat(12)}${"ab".repeat(20)}`;

/** Message `sequence` from chain 2, in block `sequence`, seen at `observedAt`. */
export function testMessage(sequence: number, observedAt = now()): SeenMessage {
  return {
    body: {
      timestamp: 1,
      nonce: 0,
      emitterChain: 2,
      emitterAddress: TEST_EMITTER,
      sequence: BigInt(sequence),
      consistencyLevel: 200,
      payload: new Uint8Array([sequence]),
    },
    blockNumber: BigInt(sequence),
    blockHash: toHex(sequence, { size: 32 }),
    txHash: toHex(1000 + sequence, { size: 32 }),
    observedAt,
  };
}
