import test, { type ExecutionContext } from "ava";
import { hostileCases, head, manyAtOnce, plainGet, rawExchange } from "../infra/hostileHttp.ts";
import { Ledger } from "../measure/ledger.ts";
import { StageStats } from "../measure/stats.ts";
import { serveMetrics } from "./metrics.ts";

// /metrics under malformed, oversized, slow and many requests: each is answered 4xx (or the slow
// one closed), and a scrape still answers after each. Short time-outs so the slow-client case
// takes about a second; the limits themselves are src/infra/httpServer.ts's.
const LIMITS = { headersTimeoutMs: 800, requestTimeoutMs: 1_000, checkIntervalMs: 100 };

async function started(t: ExecutionContext) {
  const ledger = new Ledger();
  const stats = new StageStats([{ rate: 10, startRate: 10, durationS: 60 }]);
  const server = await serveMetrics(0, ledger, stats, LIMITS);
  t.teardown(async () => {
    await server.close();
    // The listening handle is released by libuv a turn after the server's close event.
    await new Promise((r) => setImmediate(r));
  });
  const base = server.url.replace(/\/metrics$/, "");
  const stillGood = async (after: string) => {
    const { status, body } = await plainGet(server.url);
    t.is(status, 200, `a scrape is answered after: ${after}`);
    t.regex(body, /^bridge_stress_in_flight 0$/m);
  };
  return { base, server, stillGood };
}

test.serial("malformed and oversized requests answer 4xx and /metrics keeps answering", async (t) => {
  const { base, stillGood } = await started(t);
  const cases = [...hostileCases(), { name: "another path", chunks: [head("/metrics/../admin")], status: 404 }];
  for (const c of cases) {
    const answer = await rawExchange(base, c.chunks);
    t.is(answer.status, c.status, c.name);
    t.true(answer.closed, `${c.name}: the connection is closed after the answer`);
    await stillGood(c.name);
  }
});

test.serial("a slow client is answered 408 and closed at the headers time-out, and close() does not wait for it", async (t) => {
  const { base, server, stillGood } = await started(t);
  const drip = ["GET /metrics HTTP/1.1\r\nHost: x\r\n", ...Array.from({ length: 30 }, () => [100, "X"]).flat()] as Array<string | number>;
  const slow = await rawExchange(base, drip, 3_000);
  t.true(slow.closed);
  t.is(slow.status, 408);
  t.true(slow.ms < LIMITS.headersTimeoutMs + 3 * LIMITS.checkIntervalMs + 500, `closed after ${slow.ms.toFixed(0)} ms`);
  await stillGood("a slow client");
  // A client in the middle of its request when the run ends: close() ends its connection.
  const pending = rawExchange(base, ["GET /metrics HTTP/1.1\r\n", 5_000], 6_000);
  await new Promise((r) => setTimeout(r, 100));
  const before = performance.now();
  await server.close();
  t.true(performance.now() - before < 500, "close() returns at once");
  t.true((await pending).closed);
});

test.serial("500 connections at once, each malformed, are all answered 4xx while scrapes go on", async (t) => {
  const { base, server, stillGood } = await started(t);
  const [bad, goods] = await Promise.all([
    manyAtOnce(base, 500, [head("/", [], "POST")]),
    Promise.all(Array.from({ length: 20 }, () => plainGet(server.url).then((r) => r.status))),
  ]);
  t.deepEqual(new Set(bad.map((a) => a.status)), new Set([405]));
  t.deepEqual(new Set(goods), new Set([200]));
  await stillGood("500 connections");
});
