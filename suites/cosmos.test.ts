import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CosmosLocalnet, cometRpc, DENOM } from "../chains/cosmos.ts";
import { isAlive } from "../src/infra/instance.ts";
import { CosmosSenders, testAddresses } from "../src/bridges/localnets/senders.ts";
import { runLocal } from "./helpers/run.ts";

// A real Cosmos SDK chain (simd of ibc-go v8, built by the setup step) on 127.0.0.1.

test.serial("a 4-validator localnet: every validator signs, heights agree, and stop leaves no process", async (t) => {
  const net = new CosmosLocalnet({ chainId: "stress-t", validators: 4, blockTimeMs: 300 });
  let pids: number[] = [];
  try {
    await net.start();
    pids = net.validators.map((v) => v.pid!);
    t.is(pids.length, 4);
    const validators = await cometRpc<{ total: string }>(net.rpcUrl, "validators");
    t.is(Number(validators.total), 4);
    t.true((await net.heightSkew()) <= 1);
    for (const v of net.validators) t.regex(v.rpcUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  } finally {
    await net.stop();
  }
  t.deepEqual(pids.filter(isAlive), []);
});

test.serial("concurrent senders never collapse into sequence mismatch: a stale sequence is re-read and the send goes through", async (t) => {
  const [sender, engine] = await testAddresses(2);
  const net = new CosmosLocalnet({ chainId: "stress-t", validators: 1, blockTimeMs: 200, accounts: [sender!, engine!] });
  try {
    await net.start();
    // Two managers over the same account: the second one's sequence goes stale as soon as
    // the first one sends.
    const a = await CosmosSenders.connect(net.rpcUrl, "stress-t", 1);
    const b = await CosmosSenders.connect(net.rpcUrl, "stress-t", 1);
    const msgs = (from: string) => [
      { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: from, toAddress: engine!, amount: [{ denom: DENOM, amount: "1" }] } },
    ];
    const first = await Promise.all(Array.from({ length: 5 }, () => a.send(msgs, "from a")));
    const second = await b.send(msgs, "from b, after a re-read");
    t.is(new Set([...first, second]).size, 6);
    a.disconnect();
    b.disconnect();
  } finally {
    await net.stop();
  }
});

test.serial("triggers delivered as CosmJS transactions: every one included, with its hash, delay and height skew in the report", async (t) => {
  const { result, rows, survivors } = await runLocal({
    name: "cosmos-delivery",
    bridge: "cosmos",
    cosmos: { validators: 4, blockTimeMs: 300, accounts: 4 },
    stages: [
      { rate: 10, duration: "2s" },
      { rate: 30, duration: "2s" },
    ],
    drain: "10s",
  });
  const messages = rows("messages.csv");
  const total = result.stats.total;
  t.is(total.offered, messages.length);
  t.is(total.delivered, total.offered, "every trigger included");
  for (const m of messages) {
    t.is(m.source_chain, "cosmjs");
    t.is(m.destination_chain, "stress-a");
    t.regex(m.delivery_tx!, /^0x[0-9a-f]{64}$/);
    t.is(m.delivery_tx, m.source_tx, "the delivery is the transaction's own inclusion");
    // Blocks come about every 0.3–1 s: a delay beyond 10 s would mean a stuck sender.
    t.true(Number(m.delay_ms) > 0 && Number(m.delay_ms) < 10_000, `delay ${m.delay_ms} ms`);
  }
  const steps = rows("steps.csv");
  t.true(steps.every((s) => s.height_skew_max !== "" && Number(s.height_skew_max) <= 3));
  const manifest = JSON.parse(readFileSync(join(result.runDir, "manifest.json"), "utf8"));
  t.regex(manifest.tools.simd, /^ibc-go v8\.8\.0/);
  t.deepEqual(survivors, []);
});

test.serial("CheckTx refusals end as drops with the node's reason; nothing is lost", async (t) => {
  // A memo limit below the trigger memo's 193 characters: the ante handler refuses every one.
  const { result, rows, survivors } = await runLocal({
    name: "cosmos-refused",
    bridge: "cosmos",
    cosmos: { validators: 1, blockTimeMs: 200, accounts: 2, maxMemoCharacters: 100 },
    stages: [{ rate: 10, duration: "1s" }],
    drain: "5s",
  });
  const messages = rows("messages.csv");
  t.is(result.stats.total.dropped, messages.length);
  t.true(messages.length >= 8);
  for (const m of messages) t.regex(m.drop_reason!, /^checktx: sdk code 12: maximum number of characters is 100 but received 193 characters: memo too large/);
  t.deepEqual(survivors, []);
});

test.serial("a full mempool refuses the excess: drops with reason mempool is full, the rest delivered", async (t) => {
  const { result, rows } = await runLocal({
    name: "cosmos-mempool-full",
    bridge: "cosmos",
    cosmos: { validators: 1, blockTimeMs: 2000, accounts: 8, mempoolSize: 10 },
    stages: [{ rate: 40, duration: "1s" }],
    drain: "10s",
  });
  const messages = rows("messages.csv");
  const total = result.stats.total;
  t.is(total.delivered + total.dropped, messages.length);
  const full = messages.filter((m) => m.status === "dropped");
  t.true(full.length > 0 && total.delivered >= 10, `${full.length} dropped, ${total.delivered} delivered`);
  for (const m of full) t.regex(m.drop_reason!, /mempool is full/);
});
