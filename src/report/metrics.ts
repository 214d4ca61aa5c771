import { answer, getOnlyServer, type ServerLimits } from "../infra/httpServer.ts";
import type { Ledger } from "../measure/ledger.ts";
import type { StageStats } from "../measure/stats.ts";
import { STEPS } from "./tables.ts";

/** The delay quantiles served, each the figure of its steps.csv column (tables.ts), over the run so far. */
const QUANTILES = [
  [0.5, STEPS.cells.p50_ms],
  [0.9, STEPS.cells.p90_ms],
  [0.99, STEPS.cells.p99_ms],
  [0.999, STEPS.cells.p999_ms],
] as const;

/** Prometheus text exposition of a run so far: message counts, in flight, delay quantiles, the current stage. */
export function metricsText(ledger: Ledger, stats: StageStats): string {
  const { planned, sent, delivered, dropped } = ledger.counts;
  const delay = stats.total.delay;
  const total = { s: stats.total };
  const stage = stats.stageAt(ledger.elapsed());
  const lines = [
    "# HELP bridge_stress_messages_total Messages of this run by how far they got.",
    "# TYPE bridge_stress_messages_total counter",
    `bridge_stress_messages_total{state="offered"} ${planned}`,
    `bridge_stress_messages_total{state="sent"} ${sent}`,
    `bridge_stress_messages_total{state="delivered"} ${delivered}`,
    `bridge_stress_messages_total{state="dropped"} ${dropped}`,
    "# HELP bridge_stress_in_flight Messages offered and not yet delivered or dropped.",
    "# TYPE bridge_stress_in_flight gauge",
    `bridge_stress_in_flight ${ledger.inFlight}`,
    "# HELP bridge_stress_delay_ms End-to-end delay from the intended send time, delivered messages so far (exact nearest-rank quantiles).",
    "# TYPE bridge_stress_delay_ms summary",
    ...QUANTILES.map(([q, figure]) => `bridge_stress_delay_ms{quantile="${q}"} ${figure.value(total) ?? "NaN"}`),
    `bridge_stress_delay_ms_sum ${(STEPS.cells.mean_ms.value(total) ?? 0) * delay.count}`,
    `bridge_stress_delay_ms_count ${delay.count}`,
    "# HELP bridge_stress_stage Index of the load stage under way (-1 between stages and in the drain).",
    "# TYPE bridge_stress_stage gauge",
    `bridge_stress_stage ${stage ?? -1}`,
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * A Prometheus endpoint on 127.0.0.1 (`/metrics`) for watching a long run, e.g. a soak, in
 * Grafana. Port 0 lets the OS choose; the URL says which. Any other path, method or a request
 * with a body answers 4xx, within the limits of src/infra/httpServer.ts (`limits` overrides them).
 */
export async function serveMetrics(
  port: number,
  ledger: Ledger,
  stats: StageStats,
  limits: Partial<ServerLimits> = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = getOnlyServer(
    "metrics",
    (_req, res, url) => {
      if (url.pathname !== "/metrics") return answer(res, 404, "only /metrics here\n");
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(metricsText(ledger, stats));
    },
    limits,
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const { port: bound } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${bound}/metrics`,
    // A client holding a connection (a slow one, a scraper's kept-alive one) must not hold up the run's end.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
