import test from "ava";
import { Ledger } from "../measure/ledger.ts";
import { StageStats } from "../measure/stats.ts";
import { serveMetrics } from "./metrics.ts";

test("/metrics serves counts, in flight and delay quantiles in Prometheus text format", async (t) => {
  const ledger = new Ledger();
  const stats = new StageStats([{ rate: 10, startRate: 10, durationS: 60 }]);
  ledger.onFinal = (r) => stats.add(r);
  for (const id of [1, 2, 3]) {
    ledger.plan({ id, kind: "liquidation", sourceChain: "Ethereum", destinationChain: "Base", stage: 0, intendedAt: 0 });
    stats.offer(0);
  }
  ledger.sent(1, ledger.startedAt + 1, "0x01");
  ledger.delivered(1, ledger.startedAt + 250, "0x02", false);
  const server = await serveMetrics(0, ledger, stats);
  try {
    t.regex(server.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const response = await fetch(server.url);
    t.regex(response.headers.get("content-type")!, /^text\/plain/);
    const text = await response.text();
    t.regex(text, /^bridge_stress_messages_total\{state="offered"\} 3$/m);
    t.regex(text, /^bridge_stress_messages_total\{state="delivered"\} 1$/m);
    t.regex(text, /^bridge_stress_in_flight 2$/m);
    t.regex(text, /^bridge_stress_delay_ms\{quantile="0\.99"\} 2\d\d(\.\d+)?$/m);
    t.regex(text, /^bridge_stress_delay_ms_count 1$/m);
    t.regex(text, /^# TYPE bridge_stress_delay_ms summary$/m);
    t.is((await fetch(server.url.replace("/metrics", "/"))).status, 404);
  } finally {
    await server.close();
  }
});
