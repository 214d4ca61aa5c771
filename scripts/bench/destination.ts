// Destination ceiling: the most receiveMessage deliveries the destination chain includes per
// second at its block time and gas limit, with nothing of the harness in the way. VAAs are
// made and signed (13 of 19 guardians) and the delivery transactions signed from 19 TEST-ONLY
// dev accounts before the clock starts; then they are sent raw to anvil as fast as it takes
// them, and inclusion is read back block by block. Prints one JSON line.
//
//   tsx scripts/bench/destination.ts [count] [blockTimeMs]
import { bytesToHex, numberToHex, parseGwei, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import pLimit from "p-limit";
import { rpc } from "../../src/infra/rpc.ts";
import { roleKeys } from "../../chains/devAccounts.ts";
import { chainProfile } from "../../chains/profiles.ts";
import { generateGuardianKeys } from "../../src/bridges/wormhole/guardians/guardianKeys.ts";
import { encodeTrigger } from "../../src/load/payload.ts";
import { bodyDigest, quorum, serializeBody, serializeVaa, signDigest, toEmitterAddress } from "../../src/bridges/wormhole/vaa.ts";
import { loadRelayerPreset } from "../../src/bridges/wormhole/relayer/config.ts";
import { chooseRelayer } from "../../src/bridges/wormhole/relayer/kinds/index.ts";
import { EvmStack } from "../../src/bridges/wormhole/stack.ts";
import { machineBusyMs } from "../../src/measure/machineCpu.ts";

const count = Number(process.argv[2] ?? 3000);
const blockTimeMs = Number(process.argv[3] ?? 250);
const guardians = 19;
const gasLimit = BigInt(loadRelayerPreset("default").gasLimit);

const source = chainProfile("Ethereum");
const destination = { ...chainProfile("Base"), blockTimeMs };
const stack = new EvmStack({ chains: [source, destination], sources: ["Ethereum"], destinations: ["Base"], guardians, relayer: chooseRelayer("default") });
try {
  await stack.start();
  const rpcUrl = stack.chain("Base").rpcUrl;
  const receiver = stack.receivers.get("Base")!;
  const emitterAddress = toEmitterAddress(stack.emitters.get("Ethereum")!);
  // The same keys the stack's guardian set was installed with (derived from a fixed test-only seed).
  const keys = generateGuardianKeys(guardians).slice(0, quorum(guardians));
  const accounts = [...roleKeys("senders", 10), ...roleKeys("relayer", 9)].map((key) => privateKeyToAccount(key));
  const nonces = await Promise.all(accounts.map(async (a) => Number(await rpc<Hex>(rpcUrl, "eth_getTransactionCount", [a.address, "pending"]))));
  const now = BigInt(Date.now());
  const signed: Hex[] = [];
  for (let i = 0; i < count; i++) {
    const payload = encodeTrigger({
      triggerId: BigInt(i + 1),
      kind: "liquidation",
      positionId: numberToHex(i, { size: 32 }),
      account: accounts[0]!.address,
      price: 100_000_000n,
      deadlineMs: now + 3_600_000n,
      destinationChain: destination.wormholeChainId,
    });
    const bodyBytes = serializeBody({
      timestamp: Math.floor(Date.now() / 1000),
      nonce: 0,
      emitterChain: source.wormholeChainId,
      emitterAddress,
      sequence: BigInt(i),
      consistencyLevel: 200,
      payload,
    });
    const digest = bodyDigest(bodyBytes);
    const vaa = serializeVaa({
      guardianSetIndex: 0,
      signatures: keys.map((k, index) => ({ guardianIndex: index, signature: signDigest(k.privateKey, digest) })),
      bodyBytes,
    });
    const data = stack.integration.deliver(bytesToHex(vaa));
    const from = i % accounts.length;
    signed.push(
      await accounts[from]!.signTransaction({
        type: "eip1559",
        chainId: destination.evmChainId,
        to: receiver,
        data,
        gas: gasLimit,
        nonce: nonces[from]!++,
        maxFeePerGas: parseGwei("200"),
        maxPriorityFeePerGas: parseGwei("1"),
      }),
    );
  }
  const startBlock = BigInt(await rpc<Hex>(rpcUrl, "eth_blockNumber", []));
  const limit = pLimit(64);
  const busyStart = machineBusyMs();
  const sendStarted = performance.now();
  const hashes = await Promise.all(signed.map((tx) => limit(() => rpc<Hex>(rpcUrl, "eth_sendRawTransaction", [tx]))));
  const sendSeconds = (performance.now() - sendStarted) / 1000;
  // Read blocks until every transaction is in one.
  const wanted = new Set(hashes.map((h) => h.toLowerCase()));
  const blocks: Array<{ number: bigint; included: number; succeeded: number; gasUsed: bigint }> = [];
  let next = startBlock + 1n;
  const deadline = performance.now() + 120_000;
  while (wanted.size && performance.now() < deadline) {
    const head = BigInt(await rpc<Hex>(rpcUrl, "eth_blockNumber", []));
    for (; next <= head; next++) {
      const receipts = await rpc<Array<{ transactionHash: Hex; status: Hex; gasUsed: Hex }>>(rpcUrl, "eth_getBlockReceipts", [numberToHex(next)]);
      let included = 0;
      let succeeded = 0;
      let gasUsed = 0n;
      for (const r of receipts) {
        if (!wanted.delete(r.transactionHash.toLowerCase())) continue;
        included++;
        if (r.status === "0x1") succeeded++;
        gasUsed += BigInt(r.gasUsed);
      }
      blocks.push({ number: next, included, succeeded, gasUsed });
    }
    await new Promise((resolve) => setTimeout(resolve, blockTimeMs / 4));
  }
  if (wanted.size) throw new Error(`${wanted.size} of ${count} transactions not included within 120 s`);
  const busyEnd = machineBusyMs();
  // Cores the whole machine used from the first send to the last inclusion: anvil, and this
  // process's sends and block reads.
  const machineCores = busyStart === undefined || busyEnd === undefined ? undefined : (busyEnd - busyStart) / (performance.now() - sendStarted);
  // Saturated blocks: from the first block with a delivery to the last, the last one excluded (it holds the remainder).
  const first = blocks.findIndex((b) => b.included > 0);
  const last = blocks.findLastIndex((b) => b.included > 0);
  const full = blocks.slice(first, last);
  const perBlock = full.reduce((n, b) => n + b.included, 0) / full.length;
  const succeeded = blocks.reduce((n, b) => n + b.succeeded, 0);
  const gasPerDelivery = Number(blocks.reduce((g, b) => g + b.gasUsed, 0n)) / count;
  console.log(
    JSON.stringify({
      count,
      blockTimeMs,
      succeeded,
      sendPerSecond: count / sendSeconds,
      deliveriesPerBlock: perBlock,
      deliveriesPerSecond: (perBlock * 1000) / blockTimeMs,
      gasPerDelivery,
      gasLimitBound: (Number(destination.gasLimit) / gasPerDelivery) * (1000 / blockTimeMs),
      machineCores,
    }),
  );
} finally {
  await stack.stop();
}
