// The built-in integration: LiquidationHub publishes liquidation triggers (fixtures/contracts,
// payload layout in src/load/payload.ts), LiquidationReceiver verifies and delivers them.
// Written with the same helper a user's integration uses; a scenario without "integration" runs it.
import { toHex } from "viem";
import { decodeTrigger, positionIdOf, TRIGGER_KIND_CODES } from "../../../load/payload.ts";
import { defineIntegration } from "../integration.ts";

const ARTIFACTS = new URL("../../../../fixtures/contracts/artifacts/", import.meta.url);

/** The account a trigger names and the price it carries: fixed, as the load has always sent them. */
const ACCOUNT = "0x000000000000000000000000000000000000dEaD";
const PRICE = 2_000n * 10n ** 8n;

export default defineIntegration({
  name: "liquidation",
  emitter: { artifact: new URL("LiquidationHub.json", ARTIFACTS), args: (ctx) => [ctx.chain.coreAddress] },
  receiver: { artifact: new URL("LiquidationReceiver.json", ARTIFACTS), args: (ctx) => [ctx.chain.coreAddress] },
  // Each receiver accepts the hub of every source chain.
  async setup(ctx) {
    if (!ctx.chain.isDestination) return;
    for (const emitter of ctx.emitters) await ctx.write("receiver", "registerEmitter", [emitter.wormholeChainId, emitter.emitterAddress]);
  },
  send: {
    function: "trigger",
    args: (m, ctx) => [
      BigInt(m.id),
      TRIGGER_KIND_CODES[m.kind],
      positionIdOf(m.positionSalt),
      ACCOUNT,
      PRICE,
      BigInt(m.deadlineMs),
      ctx.destination.wormholeChainId,
      ctx.consistencyLevel,
      m.padding.length ? toHex(m.padding) : "0x",
    ],
  },
  decode(payload) {
    const { triggerId, destinationChain, kind } = decodeTrigger(payload);
    return { messageId: triggerId, destination: destinationChain, kind };
  },
  deliver: { function: "receiveMessage", args: (vaa) => [vaa] },
  deliverBatch: {
    function: "receiveMessages",
    args: (vaas) => [vaas],
    rejected: { event: "TriggerRejected", index: (a) => a.index as bigint, reason: (a) => a.reason as string },
  },
  delivered: { event: "TriggerDelivered", messageId: (a) => a.triggerId as bigint, late: (a) => a.late as boolean },
  alreadyDelivered: (reason) => reason.includes("already delivered"),
  // Every delivery the harness saw is counted by its receiver (deliveredCount): none missed, none extra.
  async verify(ctx) {
    let counted = 0n;
    for (const [chain, contracts] of Object.entries(ctx.contracts)) {
      if (contracts.receiver) counted += (await ctx.read(chain, "receiver", "deliveredCount")) as bigint;
    }
    return counted === BigInt(ctx.delivered.size) ? [] : [`receivers count ${counted} deliveries, the harness saw ${ctx.delivered.size}`];
  },
});
