// The reference relayer as its own process, so it can be killed (-9) and restarted like a
// real deployment. Endpoints, settings and the integration module's path come from the environment; progress events go to
// stdout as JSON lines. SIGUSR2 asks it to settle its submissions; SIGTERM stops it.
import { performance } from "node:perf_hooks";
import { ReferenceRelayer } from "./referenceRelayer.ts";
import type { RelayerEndpoints, RelayerEventMap } from "./relayer.ts";
import type { ReferenceRelayerConfig } from "./config.ts";
import { loadIntegration } from "../integrationLoader.ts";

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`relayer: ${name} is not set`);
    process.exit(2);
  }
  return value;
}

const endpoints = JSON.parse(required("BRIDGE_STRESS_RELAYER_ENDPOINTS")) as RelayerEndpoints;
const config = JSON.parse(required("BRIDGE_STRESS_RELAYER_CONFIG")) as ReferenceRelayerConfig;
const integration = await loadIntegration(required("BRIDGE_STRESS_INTEGRATION"));
const relayer = new ReferenceRelayer(endpoints, config, integration, process.env.BRIDGE_STRESS_RELAYER_CHECKPOINT);

// Times leave this process as epoch milliseconds (timeOrigin + monotonic now); the harness maps them back onto its own clock.
const epoch = (at: number) => performance.timeOrigin + at;
for (const event of ["fetched", "submitted", "duplicate", "gaveUp"] as const) {
  relayer.events.on(event, (e: RelayerEventMap[typeof event][0]) => {
    console.log(JSON.stringify({ event, ...e, at: epoch(e.at) }));
  });
}
process.on("SIGUSR2", () => void relayer.settle(5_000).then(() => console.log(JSON.stringify({ event: "settled" }))));
process.on("SIGTERM", () => void relayer.stop().then(() => process.exit(0)));

await relayer.start();
console.log(JSON.stringify({ event: "ready" }));
