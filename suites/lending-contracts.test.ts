// The lending integration (fixtures/integrations/lending) on anvil with the real Wormhole core and
// test guardians: deployed and set up through its own module's specs, driven through its send,
// decode, deliver, delivered, alreadyDelivered and verify, against the Solidity in its src/.
import test, { type ExecutionContext } from "ava";
import { readFileSync } from "node:fs";
import {
  type BaseError,
  ContractFunctionRevertedError,
  createWalletClient,
  decodeErrorResult,
  encodeFunctionData,
  http,
  pad,
  parseEventLogs,
  toHex,
  type Abi,
  type Address,
  type Hex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { devPrivateKey } from "../chains/devAccounts.ts";
import { rpc } from "../src/infra/rpc.ts";
import { coreAbi } from "../src/bridges/wormhole/core.ts";
import { toEmitterAddress, type VaaBody } from "../src/bridges/wormhole/vaa.ts";
import type { IntegrationChain, IntegrationMessage, SendContext, SetupContext } from "../src/bridges/wormhole/integration.ts";
import lending, {
  ALREADY_DELIVERED_SELECTOR,
  DEBT_ASSET,
  OPEN_BATCH,
  POSITIONS,
  TRIGGER_PARAMS,
  TRIGGER_PRICE,
  describeRevert,
  positionIdOf,
} from "../fixtures/integrations/lending/integration.ts";
import { chainWithCore, range, signedVaa, type TestChain } from "./helpers/chain.ts";

// TEST-ONLY anvil dev keys: the deployer as in a run (account 19), a load sender, a relayer wallet.
const deployer = privateKeyToAccount(devPrivateKey(19));
const sender = privateKeyToAccount(devPrivateKey(0));
const relayer = privateKeyToAccount(devPrivateKey(10));
/** A non-zero publishMessage fee on the source core (0.001 ETH). */
const FEE = 10n ** 15n;

const foundryAbi = (url: unknown): Abi => JSON.parse(readFileSync(url as URL, "utf8")).abi;
const foundryBytecode = (url: unknown): Hex => JSON.parse(readFileSync(url as URL, "utf8")).bytecode.object;
const senderAbi = foundryAbi(lending.emitter.artifact);
const liquidatorAbi = foundryAbi(lending.receiver.artifact);
const marketAbi = foundryAbi(lending.contracts!.market!.artifact);
const allAbi = [...liquidatorAbi, ...marketAbi, ...senderAbi] as Abi;

interface World {
  source: TestChain;
  destination: TestChain;
  chains: Record<string, IntegrationChain>;
  contracts: Record<string, Record<string, Address>>;
  setupContext(chain: string): SetupContext;
}

function integrationChain(c: TestChain, isSource: boolean): IntegrationChain {
  const { name, wormholeChainId, evmChainId, coreAddress } = c.profile;
  return { name, wormholeChainId, evmChainId, coreAddress, isSource, isDestination: !isSource };
}

const wallet = (c: TestChain, account = deployer) => createWalletClient({ account, transport: http(c.anvil.rpcUrl) });

async function mined(c: TestChain, hash: Hex) {
  const receipt = await c.client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
  return receipt;
}

/** Gas used by each transaction of the module's setup. */
const setupGas: bigint[] = [];

/** Deploys what the module's specs say, in its order (extra contracts, emitter, receiver), then runs its setup on each chain. */
async function deployLending(t: ExecutionContext): Promise<World> {
  const [source, destination] = await Promise.all([chainWithCore(t, "Ethereum"), chainWithCore(t, "Arbitrum")]);
  // Slot 7 of the core is messageFee (src/bridges/wormhole/core.ts, coreStorage).
  await rpc(source.anvil.rpcUrl, "anvil_setStorageAt", [source.profile.coreAddress, pad("0x07"), pad(toHex(FEE))]);
  const byName = { Ethereum: source, Arbitrum: destination } as Record<string, TestChain>;
  const chains = { Ethereum: integrationChain(source, true), Arbitrum: integrationChain(destination, false) };
  const contracts: Record<string, Record<string, Address>> = { Ethereum: {}, Arbitrum: {} };
  const emitters: SetupContext["emitters"] = [];
  const context = (chain: string) => ({ chain: chains[chain as keyof typeof chains], chains, contracts, emitters });
  const deploy = async (chain: string, name: string, spec: typeof lending.emitter) => {
    const c = byName[chain]!;
    const args = [...((await spec.args?.(context(chain))) ?? [])];
    const hash = await wallet(c).deployContract({ chain: null, abi: foundryAbi(spec.artifact), bytecode: foundryBytecode(spec.artifact), args });
    contracts[chain]![name] = (await mined(c, hash)).contractAddress!;
  };
  await deploy("Arbitrum", "market", lending.contracts!.market!);
  await deploy("Ethereum", "emitter", lending.emitter);
  const emitter = contracts.Ethereum!.emitter!;
  emitters.push({ chain: "Ethereum", wormholeChainId: source.profile.wormholeChainId, address: emitter, emitterAddress: toEmitterAddress(emitter) });
  await deploy("Arbitrum", "receiver", lending.receiver);

  const abiOfName = (name: string) => (name === "market" ? marketAbi : name === "receiver" ? liquidatorAbi : senderAbi);
  const setupContext = (chain: string): SetupContext => {
    const c = byName[chain]!;
    return {
      ...context(chain),
      async write(contract, functionName, args = [], value = 0n) {
        const hash = await wallet(c).writeContract({ chain: null, address: contracts[chain]![contract]!, abi: abiOfName(contract), functionName, args, value });
        setupGas.push((await mined(c, hash)).gasUsed);
        return hash;
      },
      read: (contract, functionName, args = []) =>
        c.client.readContract({ address: contracts[chain]![contract]!, abi: abiOfName(contract), functionName, args }),
    };
  };
  for (const chain of Object.keys(chains)) await lending.setup!(setupContext(chain));
  return { source, destination, chains, contracts, setupContext };
}

const message = (id: number, over: Partial<IntegrationMessage> = {}): IntegrationMessage => ({
  id,
  kind: "liquidation",
  deadlineMs: Date.now() + 600_000,
  positionSalt: id,
  padding: new Uint8Array(),
  ...over,
});

function sendContext(w: World, emitter = w.contracts.Ethereum!.emitter!): SendContext {
  return { source: w.chains.Ethereum!, destination: w.chains.Arbitrum!, emitter, consistencyLevel: 200, messageFee: FEE, contracts: w.contracts.Ethereum! };
}

/** Sends `m` through the module's send spec (optionally with the trigger changed) and returns the VAA body of the published message. */
async function publish(w: World, m: IntegrationMessage, change: (trigger: any) => any = (x) => x, emitter?: Address): Promise<VaaBody> {
  const ctx = sendContext(w, emitter);
  const [trigger, consistency] = lending.send.args(m, ctx) as [any, number];
  const hash = await wallet(w.source, sender).writeContract({
    chain: null,
    address: ctx.emitter,
    abi: senderAbi,
    functionName: lending.send.function,
    args: [change(trigger), consistency],
    value: lending.send.value?.(m, ctx) ?? ctx.messageFee,
    gas: lending.send.gas,
  });
  const receipt = await mined(w.source, hash);
  const [log] = parseEventLogs({ abi: coreAbi, logs: receipt.logs, eventName: "LogMessagePublished" });
  const block = await w.source.client.getBlock({ blockNumber: receipt.blockNumber });
  return {
    timestamp: Number(block.timestamp),
    nonce: log!.args.nonce,
    emitterChain: w.source.profile.wormholeChainId,
    emitterAddress: toEmitterAddress(log!.args.sender),
    sequence: log!.args.sequence,
    consistencyLevel: log!.args.consistencyLevel,
    payload: new Uint8Array(Buffer.from(log!.args.payload.slice(2), "hex")),
  };
}

const vaaOf = (w: World, body: VaaBody, signers = range(0, 12), guardianSetIndex = 0) => signedVaa(w.source.keys, signers, body, guardianSetIndex);

/** Delivers through the module's deliver (or deliverBatch) spec from the relayer wallet; returns the receipt's decoded events. */
async function deliver(w: World, vaas: Hex | Hex[]) {
  const spec = Array.isArray(vaas) ? lending.deliverBatch! : lending.deliver;
  const args = Array.isArray(vaas) ? lending.deliverBatch!.args(vaas) : lending.deliver.args(vaas);
  const hash = await wallet(w.destination, relayer).writeContract({
    chain: null,
    address: w.contracts.Arbitrum!.receiver!,
    abi: liquidatorAbi,
    functionName: spec.function,
    args,
    gas: 3_000_000n,
  });
  const receipt = await mined(w.destination, hash);
  gasUsed.set(hash, receipt.gasUsed);
  return Object.assign(parseEventLogs({ abi: allAbi, logs: receipt.logs }) as Array<{ eventName: string; args: any }>, { hash });
}
const gasUsed = new Map<Hex, bigint>();

/** The custom error a delivery of `vaa` reverts with, decoded by viem from the receiver's ABI. */
async function revertOf(w: World, vaa: Hex): Promise<{ errorName: string; args: readonly unknown[] }> {
  try {
    await w.destination.client.simulateContract({
      account: relayer,
      address: w.contracts.Arbitrum!.receiver!,
      abi: liquidatorAbi,
      functionName: "receiveMessage",
      args: [vaa],
    });
  } catch (err) {
    const reverted = (err as BaseError).walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
    if (reverted?.data) return { errorName: reverted.data.errorName, args: reverted.data.args ?? [] };
    throw err;
  }
  throw new Error("the delivery did not revert");
}

const readReceiver = (w: World, functionName: string, args: unknown[] = []) => w.setupContext("Arbitrum").read("receiver", functionName, args);
const readMarket = (w: World, functionName: string, args: unknown[] = []) => w.setupContext("Arbitrum").read("market", functionName, args);
const outcomeEvent = (events: Array<{ eventName: string; args: any }>) => events.filter((e) => e.eventName === lending.delivered.event);

// One deployment shared by the tests (run serially, each with its own message ids and positions).
// A before hook has no t.teardown, so the chains' stops are kept here and run after the file.
let world: World;
const stops: Array<() => unknown> = [];
test.before(async () => {
  world = await deployLending({ teardown: (stop: () => unknown) => stops.push(stop) } as unknown as ExecutionContext);
});
test.after.always(() => Promise.all(stops.map((stop) => stop())));

test("the module's trigger tuple is the sender's ABI input, field for field", (t) => {
  const input = (senderAbi.find((i) => i.type === "function" && i.name === lending.send.function) as any).inputs[0];
  const fields = (p: { components: ReadonlyArray<{ name?: string; type: string }> }) => p.components.map((c) => `${c.type} ${c.name}`);
  t.deepEqual(fields(input), fields(TRIGGER_PARAMS[0] as any));
});

test.serial("setup opened the positions and wired the market and receiver; run again it sends nothing", async (t) => {
  const w = world;
  t.is(await readMarket(w, "openCount"), BigInt(POSITIONS));
  t.is(((await readMarket(w, "liquidator")) as string).toLowerCase(), w.contracts.Arbitrum!.receiver!.toLowerCase());
  t.is(await readReceiver(w, "emitters", [w.source.profile.wormholeChainId]), toEmitterAddress(w.contracts.Ethereum!.emitter!));
  // src/bridges/wormhole/deploy.ts sends the deployer's transactions with a fixed 5 M gas.
  t.true(setupGas.length > POSITIONS / OPEN_BATCH && setupGas.every((gas) => gas < 5_000_000n), `setup gas: ${setupGas.join(", ")}`);
  const nonce = () => w.destination.client.getTransactionCount({ address: deployer.address });
  const before = await nonce();
  await lending.setup!(w.setupContext("Arbitrum"));
  t.is(await nonce(), before);
});

test.serial("published with the core's fee and delivered: the position is liquidated", async (t) => {
  const w = world;
  const coreBalance = () => w.source.client.getBalance({ address: w.source.profile.coreAddress });
  const before = await coreBalance();
  const body = await publish(w, message(1));
  t.is(await coreBalance(), before + FEE, "the sender forwarded exactly messageFee() to the core");
  t.deepEqual(lending.decode(body.payload), { messageId: 1n, destination: w.destination.profile.wormholeChainId, kind: "liquidation" });

  const events = await deliver(w, vaaOf(w, body));
  const [outcome] = outcomeEvent(events);
  t.is(outcome!.args.outcome, 1, "Liquidated");
  t.is(lending.delivered.messageId(outcome!.args), 1n);
  t.false(lending.delivered.late!(outcome!.args));
  const liquidated = events.find((e) => e.eventName === "PositionLiquidated");
  t.is(liquidated?.args.positionId, positionIdOf(1));
  t.is(liquidated?.args.price, TRIGGER_PRICE);
  t.is(((await readMarket(w, "positions", [positionIdOf(1)])) as readonly unknown[])[1], 2, "status Liquidated");
  t.is(await readReceiver(w, "outcomes", [1n]), 1);
  t.true((await readReceiver(w, "consumed", [outcome!.args.vmHash])) as boolean);
});

test.serial("a liquidation signed by all 19 guardians fits the default relayer preset's gas limit", async (t) => {
  const w = world;
  const { gasLimit } = JSON.parse(readFileSync(new URL("../fixtures/relayers/default.json", import.meta.url), "utf8"));
  const events = await deliver(w, vaaOf(w, await publish(w, message(12)), range(0, 18)));
  t.is(outcomeEvent(events)[0]!.args.outcome, 1, "Liquidated");
  const used = gasUsed.get(events.hash)!;
  t.log(`receiveMessage, 19 signatures, liquidated: ${used} gas`);
  t.true(used <= BigInt(gasLimit), `${used} gas > the default preset's gasLimit ${gasLimit}`);
});

test.serial("a batch whose gas runs out in an entry reverts whole: nothing consumed, nothing reported refused", async (t) => {
  const w = world;
  const a = vaaOf(w, await publish(w, message(15)));
  const b = vaaOf(w, await publish(w, message(16, { kind: "spam", padding: new Uint8Array(16_384) })), range(0, 18));
  const request = { account: relayer, address: w.contracts.Arbitrum!.receiver!, abi: liquidatorAbi, functionName: lending.deliverBatch!.function };
  // Enough for the first entry, not for the second (19 signatures and 16 KB: ~500 k), yet the 1/64 of the gas a
  // call leaves its caller is enough to report the entry: without the OutOfGas revert, B would be rejected with no reason.
  const gas = (await w.destination.client.estimateContractGas({ ...request, args: lending.deliverBatch!.args([a]) })) + 400_000n;
  const hash = await wallet(w.destination, relayer).writeContract({ ...request, chain: null, args: lending.deliverBatch!.args([a, b]), gas });
  const receipt = await w.destination.client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  t.is(receipt.status, "reverted", "an entry out of gas is not reported as DeliveryRejected with an empty reason");
  t.is(await readReceiver(w, "outcomes", [15n]), 0, "the first entry was not consumed either");
  const events = await deliver(w, [a, b]);
  t.deepEqual(
    outcomeEvent(events).map((e) => [e.args.messageId, e.args.outcome]),
    [
      [15n, 1],
      [16n, 4],
    ],
  );
});

test.serial("a send without the non-zero fee reverts with WrongFee(required, sent)", async (t) => {
  const w = world;
  const ctx = sendContext(w);
  const err = await t.throwsAsync(
    w.source.client.simulateContract({
      account: sender,
      address: ctx.emitter,
      abi: senderAbi,
      functionName: "sendTrigger",
      args: lending.send.args(message(9), ctx),
      value: 0n,
    }),
  );
  const reverted = (err as unknown as BaseError).walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError;
  t.is(reverted.data?.errorName, "WrongFee");
  t.deepEqual(reverted.data?.args, [FEE, 0n]);
});

test.serial("delivered past its deadline: refused late, the VAA consumed, nothing liquidated", async (t) => {
  const w = world;
  const latest = await w.destination.client.getBlock();
  const body = await publish(w, message(2, { deadlineMs: (Number(latest.timestamp) - 5) * 1000 }));
  const events = await deliver(w, vaaOf(w, body));
  const [outcome] = outcomeEvent(events);
  t.is(outcome!.args.outcome, 2, "RefusedLate");
  t.true(lending.delivered.late!(outcome!.args));
  t.is(lending.delivered.messageId(outcome!.args), 2n);
  t.false(events.some((e) => e.eventName === "PositionLiquidated"));
  t.is(((await readMarket(w, "positions", [positionIdOf(2)])) as readonly unknown[])[1], 1, "status still Open");
  t.is(await readReceiver(w, "outcomes", [2n]), 2);
  t.is((await revertOf(w, vaaOf(w, body))).errorName, "AlreadyDelivered", "consumed: a second delivery is a replay");
});

test.serial("a replay is rejected as AlreadyDelivered, alone and in a batch, and the module recognises it", async (t) => {
  const w = world;
  const body = await publish(w, message(3));
  await deliver(w, vaaOf(w, body));
  // The same body re-signed by other guardians has the same VM hash.
  const replay = vaaOf(w, body, range(6, 18));
  const reverted = await revertOf(w, replay);
  t.is(reverted.errorName, "AlreadyDelivered");
  // The reason as the reference relayer reads it: the node's message for a plain eth_call.
  const data = encodeFunctionData({ abi: liquidatorAbi, functionName: lending.deliver.function, args: lending.deliver.args(replay) });
  const message_ = await rpc(w.destination.anvil.rpcUrl, "eth_call", [{ to: w.contracts.Arbitrum!.receiver!, data }, "latest"]).then(
    () => "no revert",
    (err: Error) => err.message,
  );
  t.true(lending.alreadyDelivered!(message_), `not recognised: ${message_}`);
  t.false(lending.alreadyDelivered!("InvalidVAA(no quorum)"));

  const fresh = vaaOf(w, await publish(w, message(4)));
  const events = await deliver(w, [fresh, replay, "0x01"]);
  t.deepEqual(
    outcomeEvent(events).map((e) => e.args.messageId),
    [4n],
  );
  const rejected = events.filter((e) => e.eventName === lending.deliverBatch!.rejected.event).map((e) => e.args);
  t.deepEqual(
    rejected.map((r) => lending.deliverBatch!.rejected.index(r)),
    [1n, 2n],
  );
  const reasons = rejected.map((r) => lending.deliverBatch!.rejected.reason(r));
  t.regex(reasons[0]!, /^AlreadyDelivered\(0x[0-9a-f]{64}\)$/);
  t.true(lending.alreadyDelivered!(reasons[0]!));
  t.false(lending.alreadyDelivered!(reasons[1]!), reasons[1]);
});

test.serial("a VAA from an unregistered emitter is rejected; only the owner registers emitters", async (t) => {
  const w = world;
  const hash = await wallet(w.source).deployContract({
    chain: null,
    abi: senderAbi,
    bytecode: foundryBytecode(lending.emitter.artifact),
    args: [w.source.profile.coreAddress],
  });
  const stranger = (await mined(w.source, hash)).contractAddress!;
  const body = await publish(w, message(5), undefined, stranger);
  t.deepEqual(await revertOf(w, vaaOf(w, body)), { errorName: "UnknownEmitter", args: [w.source.profile.wormholeChainId, toEmitterAddress(stranger)] });

  const err = await t.throwsAsync(
    w.destination.client.simulateContract({
      account: relayer,
      address: w.contracts.Arbitrum!.receiver!,
      abi: liquidatorAbi,
      functionName: "registerEmitter",
      args: [w.source.profile.wormholeChainId, toEmitterAddress(stranger)],
    }),
  );
  t.regex(err!.message, /NotOwner/);
});

test.serial(
  "from the registered emitter, a payload that is not an ABI-encoded trigger is MalformedPayload, one for another chain WrongTargetChain",
  async (t) => {
    const w = world;
    const body = await publish(w, message(13));
    const packed = { ...body, sequence: body.sequence + 1000n, payload: new Uint8Array(344).fill(1) };
    t.deepEqual(await revertOf(w, vaaOf(w, packed)), { errorName: "MalformedPayload", args: [344n] });
    const short = { ...body, sequence: body.sequence + 1001n, payload: body.payload.slice(0, 319) };
    t.deepEqual(await revertOf(w, vaaOf(w, short)), { errorName: "MalformedPayload", args: [319n] });
    t.is(outcomeEvent(await deliver(w, vaaOf(w, body)))[0]!.args.outcome, 1, "the real one still delivers");
    const elsewhere = await publish(w, message(14), (trigger) => ({ ...trigger, targetChain: 30 }));
    t.deepEqual(await revertOf(w, vaaOf(w, elsewhere)), { errorName: "WrongTargetChain", args: [30, w.destination.profile.wormholeChainId] });
  },
);

test.serial("a bad VAA is rejected with the core's reason", async (t) => {
  const w = world;
  const body = await publish(w, message(6));
  const invalid = async (vaa: Hex) => {
    const { errorName, args } = await revertOf(w, vaa);
    t.is(errorName, "InvalidVAA");
    return args[0];
  };
  t.is(await invalid(vaaOf(w, body, range(0, 12), 1)), "invalid guardian set");
  t.is(await invalid(vaaOf(w, body, range(0, 11))), "no quorum");
  const good = vaaOf(w, body);
  // Byte 50 of the VAA is inside the first signature's s (6 header bytes, then index, r at 7..38, s at 39..70): one bit flipped.
  const flipped = `${good.slice(0, 2 + 2 * 50)}${(Number.parseInt(good.slice(102, 104), 16) ^ 1).toString(16).padStart(2, "0")}${good.slice(104)}` as Hex;
  t.is(await invalid(flipped), "VM signature invalid");
  // Untouched, it still delivers: nothing above consumed it.
  t.is(outcomeEvent(await deliver(w, good))[0]!.args.outcome, 1);
});

test.serial("the market's refusal is an outcome: delivered, consumed, the reason decoded", async (t) => {
  const w = world;
  const healthy = await publish(w, message(7), (trigger) => ({ ...trigger, price: 3_000n * 10n ** 8n }));
  const [refused] = outcomeEvent(await deliver(w, vaaOf(w, healthy)));
  t.is(refused!.args.outcome, 3, "Refused");
  t.regex(describeRevert(refused!.args.reason), /^PositionHealthy\(/);
  const wrongAsset = await publish(w, message(8), (trigger) => ({ ...trigger, debtAsset: sender.address }));
  const [other] = outcomeEvent(await deliver(w, vaaOf(w, wrongAsset)));
  t.is(describeRevert(other!.args.reason), `WrongDebtAsset(${sender.address}, ${DEBT_ASSET})`);
  t.is(await readReceiver(w, "outcomes", [7n]), 3);
  // A kind other than liquidation is delivered without a market call.
  const [order] = outcomeEvent(await deliver(w, vaaOf(w, await publish(w, message(10, { kind: "order" })))));
  t.is(order!.args.outcome, 4, "Recorded");
});

test.serial("a spam message with the largest padding a scenario allows is sent within send.gas and delivered", async (t) => {
  const w = world;
  // spamPaddingBytes is at most 16,384 (src/load/scenarioFields.ts); publish() sends with the module's send.gas and fails on a revert.
  const body = await publish(w, message(11, { kind: "spam", padding: new Uint8Array(16_384) }));
  t.is(lending.decode(body.payload).kind, "spam");
  const events = await deliver(w, vaaOf(w, body, range(0, 18)));
  t.is(outcomeEvent(events)[0]!.args.outcome, 4, "Recorded");
  t.log(`receiveMessage, 19 signatures, 16,384 bytes of padding: ${gasUsed.get(events.hash)} gas`);
});

test.serial("verify finds every delivered id on the receiver, and names one it does not know", async (t) => {
  const w = world;
  const read = (chain: string, contract: string, functionName: string, args?: readonly unknown[]) => w.setupContext(chain).read(contract, functionName, args);
  t.deepEqual(await lending.verify!({ chains: w.chains, contracts: w.contracts, read, delivered: new Set([1, 2]) }), []);
  const problems = (await lending.verify!({ chains: w.chains, contracts: w.contracts, read, delivered: new Set([1, 99]) })) as string[];
  t.is(problems.length, 1);
  t.regex(problems[0]!, /1 message\(s\).*: 99$/);
});

test("describeRevert names the receiver's errors and leaves unknown data as hex", (t) => {
  const vmHash = pad("0xab");
  const data = `${ALREADY_DELIVERED_SELECTOR}${vmHash.slice(2)}` as Hex;
  t.is(describeRevert(data), `AlreadyDelivered(${vmHash})`);
  t.is(decodeErrorResult({ abi: liquidatorAbi, data }).errorName, "AlreadyDelivered");
  t.is(describeRevert("0xdeadbeef"), "0xdeadbeef");
});

/** A fresh instance of the module (it reads BRIDGE_STRESS_LENDING_ADDRESSES when loaded) with `value` in that variable. */
async function withAddresses(value: string) {
  process.env.BRIDGE_STRESS_LENDING_ADDRESSES = value;
  try {
    return (await import(`../fixtures/integrations/lending/integration.ts?addresses=${encodeURIComponent(value)}`)).default as typeof lending;
  } finally {
    delete process.env.BRIDGE_STRESS_LENDING_ADDRESSES;
  }
}

test("BRIDGE_STRESS_LENDING_ADDRESSES names contracts that exist; a wrong entry is refused by its field", async (t) => {
  const market = "0x1111111111111111111111111111111111111111";
  const onFork = await withAddresses(JSON.stringify({ Arbitrum: { market } }));
  const address = (spec: { address?: unknown }, chain: string) => (spec.address as (ctx: unknown) => unknown)({ chain: { name: chain } });
  t.is(address(onFork.contracts!.market!, "Arbitrum"), market);
  t.is(address(onFork.receiver, "Arbitrum"), undefined, "not named: deployed");
  t.is(address(onFork.emitter, "Ethereum"), undefined);
  await t.throwsAsync(withAddresses(JSON.stringify({ Arbitrum: { market: "0x12" } })), {
    message: /BRIDGE_STRESS_LENDING_ADDRESSES\.Arbitrum\.market: "0x12" is not an address/,
  });
  await t.throwsAsync(withAddresses(JSON.stringify({ Arbitrum: { hub: market } })), { message: /Arbitrum\.hub: unknown; use emitter, market or receiver/ });
  await t.throwsAsync(withAddresses(JSON.stringify({ Arbitrum: market })), { message: /BRIDGE_STRESS_LENDING_ADDRESSES\.Arbitrum: must be an object/ });
  await t.throwsAsync(withAddresses("{"), { message: /is not JSON/ });
});
