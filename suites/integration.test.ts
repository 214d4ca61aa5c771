import test, { type ExecutionContext } from "ava";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { encodeErrorResult, keccak256, toHex, type Address, type Hex } from "viem";
import { rpc } from "../src/infra/rpc.ts";
import { contractEvidence, deployIntegration } from "../src/bridges/wormhole/deploy.ts";
import { IntegrationError, loadIntegration } from "../src/bridges/wormhole/integrationLoader.ts";
import { chainWithCore, type TestChain } from "./helpers/chain.ts";
import { loadScenario } from "../src/scenarios.ts";
import { runScenario } from "../src/run.ts";
import { WormholePath } from "../src/bridges/wormhole/path.ts";
import type { WormholeScenario } from "../src/bridges/wormhole/scenario.ts";
import { readCsv, runShipped, scenarioFile, tempReports } from "./helpers/run.ts";

// An integration's contracts on a chain with the real core: deployed from artifacts, or taken at an address; a constructor that reverts is named with its reason.
const ENTRY = pathToFileURL(join(import.meta.dirname, "../src/index.ts")).href;
const ARTIFACTS = join(import.meta.dirname, "../fixtures/contracts/artifacts");

/** Creation code that reverts with Error(reason): copies the ABI-encoded error after its 11-byte prologue into memory and reverts with it. */
function revertingCreation(reason: string): Hex {
  const error = encodeErrorResult({ abi: [{ type: "error", name: "Error", inputs: [{ name: "", type: "string" }] }], errorName: "Error", args: [reason] });
  const length = (error.length - 2) / 2;
  const prologue = `60${length.toString(16).padStart(2, "0")}80600b600039${"6000"}fd`;
  return `0x${prologue}${error.slice(2)}`;
}

function integrationModule(dir: string, file: string, receiver: string, extra = ""): string {
  const path = join(dir, file);
  writeFileSync(
    path,
    `import { defineIntegration } from ${JSON.stringify(ENTRY)};
export default defineIntegration({
  name: "chain-test",
  emitter: { artifact: ${JSON.stringify(join(ARTIFACTS, "LiquidationHub.json"))}, args: (ctx) => [ctx.chain.coreAddress] },
  receiver: ${receiver},
  send: { function: "trigger", args: () => [] },
  decode: () => ({ messageId: 1, destination: 2, kind: "liquidation" }),
  deliver: { function: "receiveMessage", args: (vaa) => [vaa] },
  delivered: { event: "TriggerDelivered", messageId: (a) => a.triggerId },
  ${extra}
});
`,
  );
  return path;
}

const onChain = ({ profile }: TestChain) => ({
  name: profile.name,
  wormholeChainId: profile.wormholeChainId,
  evmChainId: profile.evmChainId,
  coreAddress: profile.coreAddress,
  isSource: true,
  isDestination: true,
});

test("a constructor that reverts is named with its reason; a contract given by address is used as it is, and one with no code is refused", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "bridge-stress-integration-chain-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const chain = await chainWithCore(t, "Ethereum", 1);
  const target = [{ chain: onChain(chain), rpcUrl: chain.anvil.rpcUrl }];
  const receiverArtifact = JSON.stringify(join(ARTIFACTS, "LiquidationReceiver.json"));

  const abi = JSON.parse(readFileSync(join(ARTIFACTS, "LiquidationReceiver.json"), "utf8")).abi;
  writeFileSync(join(dir, "Reverts.json"), JSON.stringify({ abi, bytecode: { object: revertingCreation("core not supported") } }));
  const reverting = await loadIntegration(integrationModule(dir, "reverting.ts", `{ artifact: "./Reverts.json", args: (ctx) => [ctx.chain.coreAddress] }`));
  await t.throwsAsync(deployIntegration(reverting, target), {
    instanceOf: IntegrationError,
    message:
      /"chain-test" \(.*reverting\.ts\), receiver: deploy receiver on Ethereum: transaction 0x[0-9a-f]+ reverted \(execution reverted: core not supported\); check the constructor arguments \(receiver\.args\)/,
  });

  const deployed = await deployIntegration(
    await loadIntegration(integrationModule(dir, "deployed.ts", `{ artifact: ${receiverArtifact}, args: (ctx) => [ctx.chain.coreAddress] }`)),
    target,
  );
  const existing = deployed.Ethereum!.receiver!;
  const reused = await deployIntegration(
    await loadIntegration(integrationModule(dir, "existing.ts", `{ artifact: ${receiverArtifact}, address: ${JSON.stringify(existing)} }`)),
    target,
  );
  t.is(reused.Ethereum!.receiver, existing, "the receiver at the given address is used, not deployed again");
  t.not(reused.Ethereum!.emitter, deployed.Ethereum!.emitter, "the emitter, given by artifact, is deployed");

  const evidence = await contractEvidence(reused, () => chain.anvil.rpcUrl);
  const code = await rpc<Hex>(chain.anvil.rpcUrl, "eth_getCode", [existing, "latest"]);
  t.deepEqual(evidence.Ethereum!.receiver, { address: existing, codeKeccak256: keccak256(code) });
  t.not(code, "0x");

  const nowhere = toHex(0xdead_beefn, { size: 20 }) as Address;
  const missing = await loadIntegration(integrationModule(dir, "missing.ts", `{ artifact: ${receiverArtifact}, address: ${JSON.stringify(nowhere)} }`));
  await t.throwsAsync(deployIntegration(missing, target), { message: /receiver\.address: no contract at 0x0+deadbeef on Ethereum/ });

  const typo = await loadIntegration(
    integrationModule(
      dir,
      "typo.ts",
      `{ artifact: ${receiverArtifact}, address: ${JSON.stringify(existing)} }`,
      'setup: (ctx) => ctx.write("receiver", "registerEmiter", [2, "0x"]).then(() => undefined),',
    ),
  );
  await t.throwsAsync(deployIntegration(typo, target), {
    message: /typo\.ts\), setup: receiver\.registerEmiter with 2 arguments: Function "registerEmiter" not found on ABI/,
  });
});

test("a scenario runs a user's integration module, named relative to the scenario file, end to end: every message delivered through it", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "bridge-stress-integration-run-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // A user's project: Foundry-layout artifacts and a module with its own decode, batch entry and check.
  mkdirSync(join(dir, "out"));
  for (const name of ["LiquidationHub", "LiquidationReceiver"]) {
    const { abi, bytecode } = JSON.parse(readFileSync(join(ARTIFACTS, `${name}.json`), "utf8"));
    writeFileSync(join(dir, "out", `${name}.json`), JSON.stringify({ abi, bytecode: { object: bytecode }, deployedBytecode: { object: "0x" } }));
  }
  mkdirSync(join(dir, "integrations"));
  writeFileSync(
    join(dir, "integrations", "mine.ts"),
    `import { defineIntegration } from ${JSON.stringify(ENTRY)};
const KINDS = ["liquidation", "order", "cancel", "spam"] as const;
export default defineIntegration({
  name: "mine",
  emitter: { artifact: "../out/LiquidationHub.json", args: (ctx) => [ctx.chain.coreAddress] },
  receiver: { artifact: "../out/LiquidationReceiver.json", args: (ctx) => [ctx.chain.coreAddress] },
  async setup(ctx) {
    for (const e of ctx.chain.isDestination ? ctx.emitters : []) await ctx.write("receiver", "registerEmitter", [e.wormholeChainId, e.emitterAddress]);
  },
  send: {
    function: "trigger",
    args: (m, ctx) => [BigInt(m.id), KINDS.indexOf(m.kind) + 1, "0x" + "00".repeat(32), ctx.emitter, 1n, BigInt(m.deadlineMs), ctx.destination.wormholeChainId, ctx.consistencyLevel, "0x"],
  },
  decode(payload) {
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    return { messageId: view.getBigUint64(2), destination: view.getUint16(86), kind: KINDS[view.getUint8(1) - 1] };
  },
  deliver: { function: "receiveMessage", args: (vaa) => [vaa] },
  deliverBatch: { function: "receiveMessages", args: (vaas) => [vaas], rejected: { event: "TriggerRejected", index: (a) => a.index, reason: (a) => a.reason } },
  delivered: { event: "TriggerDelivered", messageId: (a) => a.triggerId, late: (a) => a.late },
  async verify(ctx) {
    const counted = await ctx.read("Base", "receiver", "deliveredCount");
    return counted === BigInt(ctx.delivered.size) ? [] : ["count " + counted + " vs " + ctx.delivered.size];
  },
});
`,
  );
  const file = scenarioFile(dir, "mine", { integration: "./integrations/mine.ts", relayer: "batched", stages: [{ rate: 10, duration: "2s" }] });
  const scenario = loadScenario(file) as WormholeScenario;
  // A core that charges a message fee (slot 7, see core.ts), set once the stack is up: every send must pay it.
  const path = new WormholePath(scenario, dir);
  const start = path.start.bind(path);
  const FEE = 1_000n;
  let ethereum = { rpcUrl: "", core: "0x" as Address };
  path.start = async () => {
    await start();
    const c = path.stack.chain("Ethereum");
    ethereum = { rpcUrl: c.rpcUrl, core: c.profile.coreAddress };
    await rpc(c.rpcUrl, "anvil_setStorageAt", [c.profile.coreAddress, toHex(7, { size: 32 }), toHex(FEE, { size: 32 })]);
  };
  let coreBalance = 0n;
  const result = await runScenario(scenario, {
    outDir: tempReports(),
    path,
    inspect: async () => {
      coreBalance = BigInt(await rpc<Hex>(ethereum.rpcUrl, "eth_getBalance", [ethereum.core, "latest"]));
    },
  });
  const messages = readCsv(result.runDir, "messages.csv");
  t.is(messages.length, 20);
  t.deepEqual(
    messages.filter((m) => m.status !== "delivered").map((m) => `${m.message_id}: ${m.drop_reason}`),
    [],
  );
  const manifest = JSON.parse(readFileSync(join(result.runDir, "manifest.json"), "utf8"));
  t.is(manifest.integration.name, "mine");
  t.is(manifest.integration.module, join(dir, "integrations", "mine.ts"));
  t.deepEqual(Object.keys(manifest.integration.contracts).sort(), ["Base", "Ethereum"]);
  t.deepEqual(manifest.integration.verify, { problems: [] });
  t.is(coreBalance, 20n * FEE, "each send paid the core's message fee");
});

test("the shipped lending scenario runs the second integration end to end: every message delivered through its Liquidator", async (t) => {
  // fixtures/scenarios/lending.json with shorter stages and drain; its integration path is relative to that file.
  const { result, rows } = await runShipped("lending", {
    stages: [
      { rate: 10, duration: "2s" },
      { rate: 30, duration: "2s" },
    ],
    drain: "20s",
  });
  const messages = rows("messages.csv");
  t.is(messages.length, 80);
  t.deepEqual(
    messages.filter((m) => m.status !== "delivered").map((m) => `${m.message_id} ${m.status} ${m.drop_reason}`),
    [],
  );
  const manifest = JSON.parse(readFileSync(join(result.runDir, "manifest.json"), "utf8"));
  t.is(manifest.integration.name, "lending");
  t.regex(manifest.integration.module, /fixtures\/integrations\/lending\/integration\.ts$/);
  for (const chain of ["Arbitrum", "Base"]) t.truthy(manifest.integration.contracts[chain].receiver?.address, `${chain}: its Liquidator's address`);
});

/**
 * A scenario file (5 messages in 1 s, Ethereum → Base) in a temp folder, running a module that is the
 * built-in integration with `override` (TypeScript object members; `builtIn` in scope) spread over it.
 */
function builtInVariant(t: ExecutionContext, name: string, override: string, drain: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), `bridge-stress-integration-${name}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const builtIn = pathToFileURL(join(import.meta.dirname, "../src/bridges/wormhole/integrations/liquidation.ts")).href;
  writeFileSync(
    join(dir, `${name}.ts`),
    `import { defineIntegration } from ${JSON.stringify(ENTRY)};
import builtIn from ${JSON.stringify(builtIn)};
export default defineIntegration({ ...builtIn, name: ${JSON.stringify(name)}, ${override} });
`,
  );
  return { dir, file: scenarioFile(dir, name, { integration: `./${name}.ts`, stages: [{ rate: 5, duration: "1s" }], drain }) };
}

test("a send that reverts on chain is dropped as send-failed with its revert reason, not as a message that was never included", async (t) => {
  // The built-in integration, but its sends pay no fee, on a core that charges one: publishMessage reverts ("invalid fee").
  const { dir, file } = builtInVariant(t, "no-fee", "send: { ...builtIn.send, value: () => 0n }", "3s");
  const scenario = loadScenario(file) as WormholeScenario;
  const path = new WormholePath(scenario, dir);
  const start = path.start.bind(path);
  path.start = async () => {
    await start();
    const c = path.stack.chain("Ethereum");
    await rpc(c.rpcUrl, "anvil_setStorageAt", [c.profile.coreAddress, toHex(7, { size: 32 }), toHex(1_000n, { size: 32 })]);
  };
  const result = await runScenario(scenario, { outDir: tempReports(), path });
  const messages = readCsv(result.runDir, "messages.csv");
  t.is(messages.length, 5);
  for (const m of messages) {
    t.is(m.status, "dropped");
    t.regex(m.drop_reason!, /^send-failed: transaction 0x[0-9a-f]{64} reverted: .*invalid fee/);
  }
});

test("a delivery event that never matches is said as an anomaly, not left to read as silent drops", async (t) => {
  // The built-in integration watching the wrong event: TriggerRejected is in the receiver's ABI but a single delivery never emits it.
  const { file } = builtInVariant(t, "wrong-event", 'delivered: { event: "TriggerRejected", messageId: (a) => a.index }', "4s");
  const result = await runScenario(loadScenario(file), { outDir: tempReports() });
  const messages = readCsv(result.runDir, "messages.csv");
  t.is(messages.length, 5);
  t.true(
    messages.every((m) => m.status === "dropped"),
    "nothing is recognised as delivered",
  );
  const anomalies = readCsv(result.runDir, "anomalies.csv").filter((a) => a.kind === "deliveries-unrecognised");
  t.is(anomalies.length, 1);
  t.regex(
    anomalies[0]!.detail!,
    /VAAs were submitted to the receivers and no TriggerRejected event named a message of this run: check integration "wrong-event"/,
  );
});
