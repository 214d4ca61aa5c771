import test from "ava";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { encodeEventTopics, encodeFunctionData, toFunctionSelector, type Hex } from "viem";
import { liquidationHubAbi, liquidationReceiverAbi } from "../../../fixtures/contracts/artifacts/index.ts";
import { encodeTrigger, positionIdOf } from "../../load/payload.ts";
import { validateScenario } from "../../scenarios.ts";
import { ScenarioError } from "../../load/scenario.ts";
import { chooseRelayer } from "./relayer/kinds/index.ts";
import { EvmStack } from "./stack.ts";
import { BUILT_IN_INTEGRATION, deployableBytecode, IntegrationError, loadIntegration, readArtifact } from "./integrationLoader.ts";

const ARTIFACTS = new URL("../../../fixtures/contracts/artifacts/", import.meta.url);
const hub = JSON.parse(readFileSync(new URL("LiquidationHub.json", ARTIFACTS), "utf8")) as { abi: unknown[]; bytecode: string };
const receiver = JSON.parse(readFileSync(new URL("LiquidationReceiver.json", ARTIFACTS), "utf8")) as { abi: unknown[]; bytecode: string };
const ENTRY = pathToFileURL(join(import.meta.dirname, "../../index.ts")).href;

/** A folder with the pair's artifacts in Foundry's layout (bytecode as { object }) and Hardhat's (a string). */
function workspace(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "bridge-stress-integration-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "Hub.json"), JSON.stringify({ abi: hub.abi, bytecode: { object: hub.bytecode } }));
  writeFileSync(join(dir, "Receiver.json"), JSON.stringify({ abi: receiver.abi, bytecode: receiver.bytecode }));
  return dir;
}

/** An integration module over the pair; `extra` overrides fields of the spec (object-literal text). */
function module(dir: string, extra = "", file = "integration.ts"): string {
  const source = `import { defineIntegration } from ${JSON.stringify(ENTRY)};
export default defineIntegration({
  name: "test",
  emitter: { artifact: "./Hub.json", args: (ctx) => [ctx.chain.coreAddress] },
  receiver: { artifact: "./Receiver.json", args: (ctx) => [ctx.chain.coreAddress] },
  send: { function: "trigger", args: () => [] },
  decode: () => ({ messageId: 1, destination: 2, kind: "liquidation" }),
  deliver: { function: "receiveMessage", args: (vaa) => [vaa] },
  delivered: { event: "TriggerDelivered", messageId: (a) => a.triggerId, late: (a) => a.late },
  ${extra}
});
`;
  const path = join(dir, file);
  writeFileSync(path, source);
  return path;
}

test("an integration reads Foundry and Hardhat artifacts as they are, relative to its module", async (t) => {
  const dir = workspace(t);
  const loaded = await loadIntegration(module(dir));
  t.is(loaded.name, "test");
  t.is(loaded.abi("emitter").length, hub.abi.length);
  t.is(deployableBytecode(loaded.contracts.find((c) => c.name === "emitter")!.artifact, "x"), hub.bytecode as Hex);
  t.is(loaded.deliver("0x0102").slice(0, 10), toFunctionSelector("function receiveMessage(bytes)"));
  t.regex(loaded.sha256, /^[0-9a-f]{64}$/);
});

test("the built-in integration sends, decodes, delivers and recognises deliveries as the pair's own ABI does", async (t) => {
  const builtIn = await loadIntegration();
  t.is(builtIn.modulePath, BUILT_IN_INTEGRATION);
  t.is(builtIn.name, "liquidation");
  const message = { id: 42, kind: "spam" as const, deadlineMs: 1_700_000_000_000, positionSalt: 7, padding: new Uint8Array(3) };
  const ctx = { consistencyLevel: 200, messageFee: 0n, emitter: `0x${"11".repeat(20)}` as Hex, contracts: {} };
  const chain = (name: string, wormholeChainId: number) => ({
    name,
    wormholeChainId,
    evmChainId: 1,
    coreAddress: ctx.emitter,
    isSource: true,
    isDestination: true,
  });
  const tx = builtIn.send(message, { ...ctx, source: chain("Ethereum", 2), destination: chain("Base", 30) });
  const expected = encodeFunctionData({
    abi: liquidationHubAbi,
    functionName: "trigger",
    args: [42n, 4, positionIdOf(7), "0x000000000000000000000000000000000000dEaD", 2_000n * 10n ** 8n, 1_700_000_000_000n, 30, 200, "0x000000"],
  });
  t.deepEqual(tx, { to: ctx.emitter, data: expected, value: 0n, gas: 250_000n });
  t.is(
    builtIn.send(
      { ...message, kind: "order", padding: new Uint8Array() },
      { ...ctx, messageFee: 5n, source: chain("Ethereum", 2), destination: chain("Base", 30) },
    ).value,
    5n,
  );
  const payload = encodeTrigger({
    triggerId: 9n,
    kind: "cancel",
    positionId: positionIdOf(1),
    account: `0x${"22".repeat(20)}`,
    price: 1n,
    deadlineMs: 1n,
    destinationChain: 23,
  });
  t.deepEqual(builtIn.decode(payload), { messageId: 9, destination: 23, kind: "cancel" });
  t.is(builtIn.deliver("0xabcd"), encodeFunctionData({ abi: liquidationReceiverAbi, functionName: "receiveMessage", args: ["0xabcd"] }));
  t.is(builtIn.deliverBatch(["0xab", "0xcd"]), encodeFunctionData({ abi: liquidationReceiverAbi, functionName: "receiveMessages", args: [["0xab", "0xcd"]] }));
  t.deepEqual(builtIn.delivery({ eventName: "TriggerDelivered", args: { triggerId: 5n, late: true } }), { messageId: 5, late: true });
  t.is(builtIn.delivery({ eventName: "TriggerRejected", args: {} }), undefined);
  const topics = encodeEventTopics({ abi: liquidationReceiverAbi, eventName: "TriggerRejected" });
  const data =
    `0x${3n.toString(16).padStart(64, "0")}${64n.toString(16).padStart(64, "0")}${17n.toString(16).padStart(64, "0")}${Buffer.from("already delivered").toString("hex").padEnd(64, "0")}` as Hex;
  const log = {
    address: ctx.emitter,
    topics,
    data,
    blockNumber: 1n,
    transactionHash: ctx.emitter,
    logIndex: 0,
    blockHash: ctx.emitter,
    transactionIndex: 0,
    removed: false,
  };
  t.deepEqual(builtIn.rejections([log as never]), [{ index: 3, reason: "already delivered" }]);
  t.true(builtIn.alreadyDelivered("execution reverted: already delivered"));
});

const loadError = async (t: { throwsAsync: (p: Promise<unknown>, e: object) => Promise<unknown> }, path: string, message: RegExp) =>
  t.throwsAsync(loadIntegration(path), { instanceOf: IntegrationError, message });

test("a module that does not exist is named, with the fix", async (t) => {
  const dir = workspace(t);
  await loadError(t, join(dir, "nope.ts"), /nope\.ts: module does not exist; set the scenario's "integration"/);
});

test("a module that throws while loading is named with its error", async (t) => {
  const dir = workspace(t);
  writeFileSync(join(dir, "throws.ts"), 'throw new Error("boom at load");\nexport default 1;\n');
  await loadError(t, join(dir, "throws.ts"), /throws\.ts: module threw while loading: boom at load/);
});

test("a module without a default export, or one not made by defineIntegration, is refused with the fix", async (t) => {
  const dir = workspace(t);
  writeFileSync(join(dir, "named.ts"), "export const integration = {};\n");
  await loadError(t, join(dir, "named.ts"), /named\.ts: module has no default export; end it with `export default defineIntegration/);
  writeFileSync(join(dir, "plain.ts"), 'export default { name: "x", send: {} };\n');
  await loadError(t, join(dir, "plain.ts"), /plain\.ts: default export is not made by defineIntegration/);
});

test("an artifact path that does not exist names the field and the file", async (t) => {
  const dir = workspace(t);
  const path = module(dir, 'emitter: { artifact: "./out/Missing.sol/Missing.json" },');
  await loadError(t, path, /emitter\.artifact: artifact .*out\/Missing\.sol\/Missing\.json does not exist; build the contracts/);
});

test("an artifact without bytecode is refused unless the contract is given by address", async (t) => {
  const dir = workspace(t);
  writeFileSync(join(dir, "IFace.json"), JSON.stringify({ abi: receiver.abi, bytecode: { object: "0x" } }));
  await loadError(t, module(dir, 'receiver: { artifact: "./IFace.json" },'), /receiver\.artifact: .*IFace\.json has no bytecode .*give its "address"/);
  const byAddress = await loadIntegration(module(dir, `receiver: { artifact: "./IFace.json", address: "0x${"33".repeat(20)}" },`, "byAddress.ts"));
  t.is(byAddress.abi("receiver").length, receiver.abi.length);
  t.throws(() => readArtifact({ abi: "no" as never }, dir, "x"), { message: /has no "abi" array/ });
});

test("an artifact with unlinked library references is refused with how to link them", async (t) => {
  const dir = workspace(t);
  const unlinked = `${hub.bytecode.slice(0, 100)}__$${"ab".repeat(17)}$__${hub.bytecode.slice(100)}`;
  writeFileSync(join(dir, "Linked.json"), JSON.stringify({ abi: hub.abi, bytecode: { object: unlinked } }));
  await loadError(
    t,
    module(dir, 'emitter: { artifact: "./Linked.json" },'),
    /emitter\.artifact: .*Linked\.json has unlinked library references \(__\$ab.*\$__\); link the libraries/,
  );
});

test("a function or event the integration names that its ABI lacks is named with what the ABI has", async (t) => {
  const dir = workspace(t);
  await loadError(
    t,
    module(dir, 'send: { function: "publish", args: () => [] },', "a.ts"),
    /send\.function: function "publish" is not in the emitter's ABI; it has .*trigger/,
  );
  await loadError(
    t,
    module(dir, 'deliver: { function: "deliver", args: (v) => [v] },', "b.ts"),
    /deliver\.function: function "deliver" is not in the receiver's ABI/,
  );
  await loadError(
    t,
    module(dir, 'delivered: { event: "Delivered", messageId: (a) => a.id },', "c.ts"),
    /delivered\.event: event "Delivered" is not in the receiver's ABI; it has TriggerDelivered, TriggerRejected/,
  );
  const batch =
    'deliverBatch: { function: "receiveMessages", args: (v) => [v], rejected: { event: "Rejected", index: (a) => a.index, reason: (a) => a.reason } },';
  await loadError(t, module(dir, batch, "d.ts"), /deliverBatch\.rejected\.event: event "Rejected" is not in the receiver's ABI/);
});

test("a batching relayer preset with an integration that has no deliverBatch is refused before any chain starts, naming both", async (t) => {
  const dir = workspace(t);
  const stack = new EvmStack({ chains: [], sources: [], destinations: [], guardians: 1, relayer: chooseRelayer("batched"), integration: module(dir) });
  await t.throwsAsync(stack.start(), {
    message:
      /relayer preset "batched" batches VAAs \(batchSize 10\) but integration "test" \(.*integration\.ts\) has no deliverBatch; use a preset with batchSize 1/,
  });
  t.is(stack.chains.size, 0);
});

test("a scenario's integration is resolved from the scenario file's folder; a missing one is a scenario error naming the field", (t) => {
  const dir = workspace(t);
  module(dir);
  const base = { routes: [{ from: "Ethereum", to: ["Base"] }], stages: [{ rate: 1, duration: "1s" }] };
  const parsed = validateScenario({ ...base, integration: "./integration.ts" }, join(dir, "s.json"), dir) as unknown as { integration: string };
  t.is(parsed.integration, join(dir, "integration.ts"));
  t.false("integration" in validateScenario(base, "s.json"), "a scenario without it parses as before");
  const err = t.throws(() => validateScenario({ ...base, integration: "./missing.ts" }, "s.json", dir), { instanceOf: ScenarioError });
  t.regex(err!.message, /field "integration" is "\.\/missing\.ts"; names .*missing\.ts, which does not exist; give the path of an integration module/);
});
