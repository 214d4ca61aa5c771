import test from "ava";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createPublicClient, encodeAbiParameters, encodeFunctionData, hexToBigInt, http, keccak256, pad, toHex, type Address, type Hex } from "viem";
import { Anvil } from "../chains/anvil.ts";
import { chainProfile, chainUrlVariable } from "../chains/profiles.ts";
import { rpc } from "../src/infra/rpc.ts";
import { coreAbi, installCore, overrideGuardianSet, readExistingCore } from "../src/bridges/wormhole/core.ts";
import { generateGuardianKeys } from "../src/bridges/wormhole/guardians/guardianKeys.ts";
import { chooseRelayer } from "../src/bridges/wormhole/relayer/kinds/index.ts";
import { EvmStack } from "../src/bridges/wormhole/stack.ts";
import { redactUrl } from "../src/report/redact.ts";
import { validateScenario } from "../src/scenarios.ts";
import { runScenario } from "../src/run.ts";
import { range, signedVaa } from "./helpers/chain.ts";
import { evmStack, tempReports } from "./helpers/run.ts";

// The tests that fork set the fork URL in the environment: they run one at a time (test.serial).
// An offline stand-in for mainnet: an "origin" anvil whose Wormhole core has another guardian
// set (other keys, index 3), a non-zero message fee and some history. The harness forks it at a
// chosen block and must keep that core (code, fee, sequences), only making the suite's guardians
// its current set at index 3, so the guardians sign with index 3 and every chain verifies them.

const ethereum = chainProfile("Ethereum");
const ORIGIN_INDEX = 3;
const ORIGIN_FEE = 1_234n;
/** The origin's guardians: seven keys the suite does not hold. */
const originKeys = generateGuardianKeys(7, "mainnet stand-in");
const word = (v: bigint | number): Hex => pad(toHex(v), { size: 32 });
const setSlot = (index: number) => keccak256(encodeAbiParameters([{ type: "uint32" }, { type: "uint256" }], [index, 2n]));
const keySlot = (index: number, k: number) => word(hexToBigInt(keccak256(setSlot(index))) + BigInt(k));

/** An anvil standing in for Ethereum mainnet, with its core installed at index 3 and a fee. */
async function origin(name: string): Promise<Anvil> {
  const anvil = new Anvil({ name, chainId: ethereum.evmChainId, blockTimeMs: 200 });
  await anvil.start();
  await installCore(anvil.rpcUrl, ethereum.coreAddress, {
    wormholeChainId: ethereum.wormholeChainId,
    evmChainId: ethereum.evmChainId,
    guardians: originKeys.map((k) => k.address),
    guardianSetIndex: ORIGIN_INDEX,
    messageFee: ORIGIN_FEE,
  });
  return anvil;
}

/** Publishes `count` messages from `from` on the origin's core (paying its fee); resolves with the highest block they landed in. */
async function publish(rpcUrl: string, from: Address, count: number): Promise<number> {
  const hashes: Hex[] = [];
  for (let i = 0; i < count; i++) {
    const data = encodeFunctionData({ abi: coreAbi, functionName: "publishMessage", args: [i, toHex(`history ${i}`), 200] });
    hashes.push(await rpc<Hex>(rpcUrl, "eth_sendTransaction", [{ from, to: ethereum.coreAddress, data, value: toHex(ORIGIN_FEE), gas: "0x30d40" }]));
  }
  let last = 0;
  const client = createPublicClient({ transport: http(rpcUrl) });
  for (const hash of hashes) {
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    if (receipt.status !== "success") throw new Error(`history message ${hash} reverted`);
    last = Math.max(last, Number(receipt.blockNumber));
  }
  return last;
}

/** A short run with Ethereum forked from the stand-in at `forkBlock` and a local Arbitrum, messages both ways; `fields` over those. */
function forkScenario(name: string, forkBlock: number, fields: Record<string, unknown> = {}) {
  const scenario = {
    name,
    chains: { Ethereum: { mode: "fork", forkBlock, blockTimeMs: 200 }, Arbitrum: { blockTimeMs: 200 } },
    routes: [
      { from: "Ethereum", to: ["Arbitrum"] },
      { from: "Arbitrum", to: ["Ethereum"] },
    ],
    guardians: 5,
    stages: [{ rate: 5, duration: "2s" }],
    drain: "20s",
    senders: 1,
    ...fields,
  };
  return validateScenario(scenario, name);
}

const read = (rpcUrl: string, functionName: string, args: unknown[] = [], address = ethereum.coreAddress) =>
  createPublicClient({ transport: http(rpcUrl) }).readContract({ address, abi: coreAbi, functionName, args } as never) as Promise<unknown>;
const storage = (rpcUrl: string, slot: Hex) => rpc<Hex>(rpcUrl, "eth_getStorageAt", [ethereum.coreAddress, slot, "latest"]);
const codeHash = async (rpcUrl: string) => keccak256(await rpc<Hex>(rpcUrl, "eth_getCode", [ethereum.coreAddress, "latest"]));

test("overriding the guardian set keeps the core's code, index and expiry, clears the old keys, and sets the fee only when asked", async (t) => {
  const chain = await origin("origin:override");
  t.teardown(() => chain.stop());
  const url = chain.rpcUrl;
  const [codeBefore, slot3Before] = await Promise.all([codeHash(url), storage(url, word(3))]);
  const existing = await readExistingCore(url, ethereum.coreAddress);
  t.deepEqual(existing, { codeHash: codeBefore, guardianSetIndex: ORIGIN_INDEX, guardianCount: 7, messageFee: ORIGIN_FEE });

  const suiteKeys = generateGuardianKeys(5);
  await overrideGuardianSet(
    url,
    ethereum.coreAddress,
    existing!,
    suiteKeys.map((k) => k.address),
  );
  t.is(await codeHash(url), codeBefore);
  t.is(await storage(url, word(3)), slot3Before, "index and expiry period unchanged");
  t.is(await read(url, "getCurrentGuardianSetIndex"), ORIGIN_INDEX);
  const set = (await read(url, "getGuardianSet", [ORIGIN_INDEX])) as { keys: Address[]; expirationTime: number };
  t.deepEqual(
    set.keys,
    suiteKeys.map((k) => k.address),
  );
  t.is(set.expirationTime, 0);
  for (const k of [5, 6]) t.is(hexToBigInt(await storage(url, keySlot(ORIGIN_INDEX, k))), 0n, `old key slot ${k} cleared`);
  t.is(await read(url, "messageFee"), ORIGIN_FEE, "the fee is kept when none is given");

  // The suite's guardians now verify at index 3; the origin's do not.
  const body = {
    timestamp: 1,
    nonce: 0,
    emitterChain: 2,
    emitterAddress: pad("0x01", { size: 32 }),
    sequence: 0n,
    consistencyLevel: 1,
    payload: new Uint8Array([1]),
  };
  const verify = async (vaa: Hex) => ((await read(url, "parseAndVerifyVM", [vaa])) as [unknown, boolean, string]).slice(1);
  t.deepEqual(await verify(signedVaa(suiteKeys, range(0, 3), body, ORIGIN_INDEX)), [true, ""]);
  t.deepEqual(await verify(signedVaa(originKeys, range(0, 4), body, ORIGIN_INDEX)), [false, "VM signature invalid"]);

  await overrideGuardianSet(
    url,
    ethereum.coreAddress,
    (await readExistingCore(url, ethereum.coreAddress))!,
    suiteKeys.map((k) => k.address),
    7n,
  );
  t.is(await read(url, "messageFee"), 7n, "a scenario's fee replaces the chain's");
});

test.serial(
  "a fork at a pinned block keeps the real core: messages both ways verified with the suite's guardians at the origin's index, its fee paid",
  async (t) => {
    const stand = await origin("origin:Ethereum");
    t.teardown(() => stand.stop());
    const [, publisher] = (await rpc<Address[]>(stand.rpcUrl, "eth_accounts", [])).slice(-2);
    const forkBlock = await publish(stand.rpcUrl, publisher!, 3);
    // History after the pinned block, which the fork must not see.
    await publish(stand.rpcUrl, publisher!, 2);
    process.env[chainUrlVariable("Ethereum", "fork")] = stand.rpcUrl;
    const originCode = await codeHash(stand.rpcUrl);

    const scenario = forkScenario("fork-core", forkBlock);
    const seen: Record<string, unknown> = {};
    const result = await runScenario(scenario, {
      outDir: tempReports(),
      inspect: async (path) => {
        const stack = evmStack(path);
        const fork = stack.chain("Ethereum").rpcUrl;
        const arbitrum = stack.chain("Arbitrum");
        seen.codeHash = await codeHash(fork);
        seen.index = await read(fork, "getCurrentGuardianSetIndex");
        seen.keys = ((await read(fork, "getGuardianSet", [ORIGIN_INDEX])) as { keys: Address[] }).keys;
        seen.fee = await read(fork, "messageFee");
        seen.historySequence = await read(fork, "nextSequence", [publisher]);
        seen.arbitrumIndex = await read(arbitrum.rpcUrl, "getCurrentGuardianSetIndex", [], arbitrum.profile.coreAddress);
      },
    });
    t.is(seen.codeHash, originCode, "the core's code is the origin's, not replaced");
    t.is(seen.index, ORIGIN_INDEX);
    t.deepEqual(
      seen.keys,
      generateGuardianKeys(5).map((k) => k.address),
    );
    t.is(seen.fee, ORIGIN_FEE, "the chain's fee is kept");
    t.is(seen.historySequence, 3n, "the fork has the origin's state at the pinned block, not at its head");
    t.is(seen.arbitrumIndex, ORIGIN_INDEX, "the installed core takes the same index, so one VAA verifies on both");
    const [stage] = result.stats.stages;
    t.is(stage!.offered, 10);
    t.is(stage!.delivered, 10, [...stage!.dropReasons].join(", "));

    const manifest = JSON.parse(readFileSync(join(result.runDir, "manifest.json"), "utf8"));
    t.is(manifest.evidence.guardianSetIndex, ORIGIN_INDEX);
    t.like(manifest.evidence.chains.Ethereum, {
      mode: "fork",
      forkUrl: redactUrl(stand.rpcUrl),
      forkBlock,
      core: { kept: true, codeHash: originCode, foundGuardianSetIndex: ORIGIN_INDEX, foundGuardians: 7, foundMessageFee: String(ORIGIN_FEE) },
      messageFee: String(ORIGIN_FEE),
    });
    t.like(manifest.evidence.chains.Arbitrum, { mode: "local", core: { kept: false }, messageFee: "0" });
  },
);

test.serial("a scenario's message fee is set on a kept core and an installed one alike", async (t) => {
  const stand = await origin("origin:fee");
  t.teardown(() => stand.stop());
  process.env[chainUrlVariable("Ethereum", "fork")] = stand.rpcUrl;
  const stack = new EvmStack({
    chains: [chainProfile("Ethereum", { mode: "fork", blockTimeMs: 200 }), chainProfile("Arbitrum", { blockTimeMs: 200 })],
    sources: ["Ethereum"],
    destinations: ["Arbitrum"],
    guardians: 3,
    relayer: chooseRelayer("default"),
    messageFee: 5n,
  });
  t.teardown(() => stack.stop());
  await stack.start();
  for (const name of ["Ethereum", "Arbitrum"] as const) {
    const { rpcUrl, profile } = stack.chain(name);
    t.is(await read(rpcUrl, "messageFee", [], profile.coreAddress), 5n, name);
  }
  t.is(stack.guardianSetIndex, ORIGIN_INDEX);
  t.like(stack.evidence(), { guardianSetIndex: ORIGIN_INDEX, chains: { Ethereum: { messageFee: "5", core: { kept: true, foundMessageFee: "1234" } } } });
});

test.serial("a fork block above the origin's head fails before the fork starts, naming the head", async (t) => {
  const stand = new Anvil({ name: "origin:head", chainId: ethereum.evmChainId, blockTimeMs: 1000 });
  t.teardown(() => stand.stop());
  await stand.start();
  process.env[chainUrlVariable("Ethereum", "fork")] = stand.rpcUrl;
  const scenario = validateScenario(
    { chains: { Ethereum: { mode: "fork", forkBlock: 1_000_000 } }, routes: [{ from: "Ethereum", to: ["Base"] }], stages: [{ rate: 1, duration: "1s" }] },
    "fork-too-high",
  );
  await t.throwsAsync(runScenario(scenario, { outDir: tempReports() }), {
    message: /chain Ethereum: forkBlock 1000000 is above the head of its origin \(http:\/\/127\.0\.0\.1:\d+ is at block \d+\); pick a block ≤ \d+/,
  });
});

test.serial(
  "the lending integration already deployed on the stand-in is run by address on a fork of it: nothing redeployed, every message delivered and verified by the kept core",
  async (t) => {
    const stand = await origin("origin:lending");
    t.teardown(() => stand.stop());
    // The team's own deployment, before the fork: a TriggerSender, a LendingMarket and a Liquidator on "mainnet".
    const script = fileURLToPath(new URL("./fixtures/deploy-lending.ts", import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script, stand.rpcUrl], { encoding: "utf8" });
    const deployed = JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<"emitter" | "market" | "receiver", Address>;
    const forkBlock = Number(await rpc<Hex>(stand.rpcUrl, "eth_blockNumber", []));
    const deployedCode = Object.fromEntries(
      await Promise.all(
        Object.entries(deployed).map(async ([name, address]) => [name, keccak256(await rpc<Hex>(stand.rpcUrl, "eth_getCode", [address, "latest"]))] as const),
      ),
    );
    process.env[chainUrlVariable("Ethereum", "fork")] = stand.rpcUrl;
    process.env.BRIDGE_STRESS_LENDING_ADDRESSES = JSON.stringify({ Ethereum: deployed });
    t.teardown(() => {
      delete process.env.BRIDGE_STRESS_LENDING_ADDRESSES;
    });

    const scenario = forkScenario("fork-lending", forkBlock, {
      integration: fileURLToPath(new URL("../fixtures/integrations/lending/integration.ts", import.meta.url)),
    });
    const result = await runScenario(scenario, { outDir: tempReports() });
    const [stage] = result.stats.stages;
    t.is(stage!.offered, 10);
    t.is(stage!.delivered, 10, [...stage!.dropReasons].join(", "));

    const manifest = JSON.parse(readFileSync(join(result.runDir, "manifest.json"), "utf8"));
    t.is(manifest.integration.name, "lending");
    for (const name of ["emitter", "market", "receiver"] as const) {
      t.like(
        manifest.integration.contracts.Ethereum[name],
        { address: deployed[name].toLowerCase(), codeKeccak256: deployedCode[name] },
        `${name}: the one deployed on the origin`,
      );
    }
    t.is(manifest.evidence.guardianSetIndex, ORIGIN_INDEX);
    t.like(manifest.evidence.chains.Ethereum, { mode: "fork", forkBlock, core: { kept: true }, messageFee: String(ORIGIN_FEE) });
    t.deepEqual(manifest.integration.verify, { problems: [] }, "the integration's own check after the run");
  },
);
