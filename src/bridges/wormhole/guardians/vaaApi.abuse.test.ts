import test, { type ExecutionContext } from "ava";
import { EventEmitter } from "node:events";
import type { Hex } from "viem";
import { hostileCases, head, manyAtOnce, openConnection, plainGet, rawExchange } from "../../../infra/hostileHttp.ts";
import type { GuardianNetwork } from "./guardianNetwork.ts";
import type { SignedVaa } from "./vaaStore.ts";
import { MAX_STREAMS, VaaApi } from "./vaaApi.ts";

// The VAA API under malformed, oversized, slow and many requests: each is answered 4xx (or the
// slow one closed), and a good request is still answered after each. Short time-outs here so
// the slow-client cases take about a second; the limits themselves are src/infra/httpServer.ts's.
const LIMITS = { headersTimeoutMs: 800, requestTimeoutMs: 1_000, checkIntervalMs: 100 };

const EMITTER = `0x${"11".repeat(32)}` as Hex;
const TX = `0x${"22".repeat(32)}` as Hex;
const vaa: SignedVaa = {
  emitterChain: 2,
  emitterAddress: EMITTER,
  sequence: 7n,
  txHash: TX,
  payload: new Uint8Array([1]),
  bytes: new Uint8Array([1, 2, 3, 4]),
  hash: `0x${"33".repeat(32)}`,
  blockHash: `0x${"44".repeat(32)}`,
  firstObservedAt: 0,
  readyAt: 0,
  reobservedSignatures: 0,
  reobservationRequests: 0,
};

/** The two reads the VAA API makes of a guardian network, and its "vaa" event, over one stored VAA. */
class OneVaaNetwork extends EventEmitter {
  get(chain: number, emitter: Hex, sequence: bigint): SignedVaa | undefined {
    return chain === vaa.emitterChain && emitter === vaa.emitterAddress && sequence === vaa.sequence ? vaa : undefined;
  }
  byTxHash(txHash: Hex): SignedVaa[] {
    return txHash === TX ? [vaa] : [];
  }
}

async function started(t: ExecutionContext) {
  const network = new OneVaaNetwork();
  const api = new VaaApi(network as unknown as GuardianNetwork, LIMITS);
  t.teardown(async () => {
    await api.stop();
    // The listening handle is released by libuv a turn after the server's close event.
    await new Promise((r) => setImmediate(r));
  });
  await api.start();
  const good = `${api.url}/v1/signed_vaa/2/${EMITTER.slice(2)}/7`;
  const stillGood = async (after: string) => {
    const { status, body } = await plainGet(good);
    t.is(status, 200, `a good request is answered after: ${after}`);
    t.deepEqual(JSON.parse(body), { vaaBytes: Buffer.from(vaa.bytes).toString("base64") });
  };
  return { api, network, stillGood, good };
}

test.serial("malformed and oversized requests answer 4xx and the API keeps answering", async (t) => {
  const { api, stillGood } = await started(t);
  const routeCases = [
    { name: "path traversal", target: "/v1/signed_vaa/../../../etc/passwd", status: 404 },
    { name: "chain id out of range", target: `/v1/signed_vaa/70000/${EMITTER.slice(2)}/7`, status: 400 },
    { name: "emitter not hex", target: `/v1/signed_vaa/2/${"zz".repeat(32)}/7`, status: 400 },
    { name: "negative sequence", target: `/v1/signed_vaa/2/${EMITTER.slice(2)}/-1`, status: 400 },
    { name: "sequence of 21 digits", target: `/v1/signed_vaa/2/${EMITTER.slice(2)}/${"9".repeat(21)}`, status: 400 },
    { name: "bad percent-encoding", target: "/v1/signed_vaa/%ZZ/%/%", status: 400 },
    { name: "txHash not hex", target: "/api/v1/vaas?txHash=0xnothex", status: 400 },
    { name: "unknown VAA", target: `/v1/signed_vaa/2/${EMITTER.slice(2)}/8`, status: 404 },
  ];
  for (const c of [...hostileCases(), ...routeCases.map((r) => ({ name: r.name, chunks: [head(r.target)], status: r.status }))]) {
    const answer = await rawExchange(api.url, c.chunks);
    t.is(answer.status, c.status, c.name);
    t.true(answer.closed, `${c.name}: the connection is closed after the answer`);
    await stillGood(c.name);
  }
  t.is(api.status, "started");
});

test.serial("a slow client (slowloris) is answered 408 and closed at the headers time-out; an idle one is closed", async (t) => {
  const { api, stillGood } = await started(t);
  // One header byte every 100 ms, for longer than the headers time-out.
  const drip = ["GET /v1/signed_vaa/stream HTTP/1.1\r\nHost: x\r\n", ...Array.from({ length: 30 }, () => [100, "X"]).flat()];
  const [slow, idle] = await Promise.all([rawExchange(api.url, drip as Array<string | number>, 3_000), rawExchange(api.url, [], 3_000)]);
  t.true(slow.closed, "the slow client is cut off");
  t.is(slow.status, 408);
  t.true(slow.ms < LIMITS.headersTimeoutMs + 3 * LIMITS.checkIntervalMs + 500, `closed after ${slow.ms.toFixed(0)} ms`);
  t.true(idle.closed, "a connection that sends nothing is closed");
  t.true(idle.ms < 3_000);
  await stillGood("slow clients");
});

test.serial("500 connections at once, each malformed, are all answered 4xx while good requests go on", async (t) => {
  const { api, stillGood, good } = await started(t);
  const [bad, goods] = await Promise.all([
    manyAtOnce(api.url, 500, [head("/v1/signed_vaa/x/y/z")]),
    Promise.all(Array.from({ length: 20 }, () => plainGet(good).then((r) => r.status))),
  ]);
  t.deepEqual(new Set(bad.map((a) => a.status)), new Set([400]), "every malformed request answered 400");
  t.deepEqual(new Set(goods), new Set([200]));
  await stillGood("500 connections");
});

test.serial("streams beyond the cap are answered 429; a freed slot is taken again; streams still get their events", async (t) => {
  const { api, network, stillGood } = await started(t);
  const request = "GET /v1/signed_vaa/stream HTTP/1.1\r\nHost: x\r\n\r\n";
  const streams = await Promise.all(Array.from({ length: MAX_STREAMS }, () => openConnection(api.url, request)));
  t.teardown(() => {
    for (const s of streams) s.close();
  });
  await Promise.all(streams.map((s) => s.until(/^HTTP\/1\.1 200 /)));
  t.is((await plainGet(`${api.url}/v1/signed_vaa/stream`)).status, 429);
  network.emit("vaa", vaa);
  await Promise.all(streams.map((s) => s.until(/\nid: 2\/1{64}\/7\ndata: /)));
  t.pass("every open stream got the event");
  streams[1]!.close();
  // The closed stream's slot is free once the server has seen it close.
  const again = await openConnection(api.url, request);
  streams.push(again);
  await again.until(/^HTTP\/1\.1 (200|429) /);
  if (again.received().startsWith("HTTP/1.1 429")) {
    const retry = await openConnection(api.url, request);
    streams.push(retry);
    await t.notThrowsAsync(retry.until(/^HTTP\/1\.1 200 /), "the freed slot is taken");
  } else t.pass("the freed slot is taken");
  await stillGood("streams");
});

test.serial("a stream client that stops reading is cut off once 8 MiB wait for it; a reading one keeps its stream", async (t) => {
  const { api, network, stillGood } = await started(t);
  const request = "GET /v1/signed_vaa/stream HTTP/1.1\r\nHost: x\r\n\r\n";
  const [stalled, reading] = await Promise.all([openConnection(api.url, request), openConnection(api.url, request)]);
  t.teardown(() => {
    stalled.close();
    reading.close();
  });
  await Promise.all([stalled.until(/^HTTP\/1\.1 200 /), reading.until(/^HTTP\/1\.1 200 /)]);
  stalled.pause();
  // 1 MiB VAAs (1.4 MB as base64 events), more than the backlog plus what the kernel buffers hold.
  const big: SignedVaa = { ...vaa, bytes: new Uint8Array(1024 * 1024) };
  const cutOff = () => api.logs().some((line) => /^stream cut off: \d+ bytes unread$/.test(line));
  for (let i = 0; i < 60 && !cutOff(); i += 1) {
    network.emit("vaa", { ...big, sequence: BigInt(i) });
    await new Promise((r) => setImmediate(r));
  }
  t.true(cutOff(), api.logs().join("\n"));
  // Once it reads again it finds its stream ended.
  stalled.resume();
  await stalled.closed;
  network.emit("vaa", { ...vaa, sequence: 999n });
  await reading.until(/\nid: 2\/1{64}\/999\n/, 10_000);
  await stillGood("a stalled stream");
});
