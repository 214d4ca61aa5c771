import test from "ava";
import { WormholePath } from "../src/bridges/wormhole/path.ts";
import type { WormholeScenario } from "../src/bridges/wormhole/scenario.ts";
import { head, hostileCases, manyAtOnce, rawExchange, type RawAnswer } from "../src/infra/hostileHttp.ts";
import { validateScenario } from "../src/scenarios.ts";
import { runLocal, tempReports } from "./helpers/run.ts";

// A run whose VAA API and /metrics are abused the whole time: malformed and oversized requests,
// slow clients, bursts of connections. The servers answer 4xx (or cut the slow ones off) and
// the run still delivers every message through the reference relayer, which polls that VAA API.
const FIELDS = {
  name: "hostile-servers",
  chains: { Ethereum: { blockTimeMs: 200 }, Base: { blockTimeMs: 200 } },
  routes: [{ from: "Ethereum", to: ["Base"] }],
  stages: [{ rate: 10, duration: "6s" }],
  drain: "15s",
  senders: 2,
};

/** Abuses `urls` until `stop` is set: the hostile cases one after another, a slow client, and a burst of 100 malformed connections. */
async function abuse(urls: string[], stop: { done: boolean }, answers: Array<[string, RawAnswer]>): Promise<void> {
  const drip = ["GET /metrics HTTP/1.1\r\nHost: x\r\n", ...Array.from({ length: 80 }, () => [100, "X"]).flat()] as Array<string | number>;
  const slow = urls.map((url) => rawExchange(url, drip, 1_000));
  while (!stop.done) {
    for (const url of urls) {
      for (const c of hostileCases()) answers.push([c.name, await rawExchange(url, c.chunks)]);
      for (const a of await manyAtOnce(url, 100, [head("/v1/signed_vaa/1/2/3")])) answers.push(["burst", a]);
    }
  }
  for (const a of await Promise.all(slow)) answers.push(["slow", a]);
}

test("a run whose VAA API and /metrics are abused throughout delivers every message", async (t) => {
  const scenario = validateScenario(FIELDS, "hostile-servers") as WormholeScenario;
  const path = new WormholePath(scenario, tempReports());
  const stop = { done: false };
  const answers: Array<[string, RawAnswer]> = [];
  let abusing: Promise<void> | undefined;
  let metricsUrl: string | undefined;
  const { result } = await runLocal(FIELDS, {
    path,
    metricsPort: 0,
    onProgress: (line) => {
      metricsUrl ??= /^metrics: (\S+)/.exec(line)?.[1];
      // The first progress line of the load: the stack and the metrics server are up.
      if (abusing || !/stage 0/.test(line)) return;
      const vaaApi = path.stack.endpoints().vaaApi!;
      abusing = abuse([vaaApi, metricsUrl!.replace(/\/metrics$/, "")], stop, answers);
    },
    // After the report, before the stack and the metrics server stop: the abuse ends while they still listen.
    inspect: async () => {
      stop.done = true;
      await abusing;
    },
  });
  t.truthy(abusing, "the abuse ran during the load");
  const total = result.stats.total;
  t.true(total.offered >= 50, `offered ${total.offered}`);
  t.is(total.delivered, total.offered, "every message delivered");
  t.is(total.dropped, 0);
  // Every abusive request was answered 4xx, or cut off (the slow clients: 408 and closed).
  const statuses = new Map<string, number>();
  for (const [name, a] of answers) statuses.set(`${name} ${a.status}`, (statuses.get(`${name} ${a.status}`) ?? 0) + 1);
  t.log(Object.fromEntries(statuses));
  t.true(answers.length > 200, `${answers.length} abusive requests`);
  t.true(
    answers.every(([, a]) => a.status !== undefined && a.status >= 400 && a.status < 500 && a.closed),
    JSON.stringify(Object.fromEntries(statuses)),
  );
});
