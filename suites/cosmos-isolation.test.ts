import test from "ava";
import { readFileSync } from "node:fs";
import { listeningSockets, type ListeningSocket } from "./helpers/processes.ts";
import { runLocal } from "./helpers/run.ts";

// Every socket a Cosmos or IBC stack listens on — each simd validator's RPC, P2P and gRPC, rly,
// the harness's metrics endpoint — is on 127.0.0.1 (suites/isolation.test.ts does the EVM stack).

const command = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0]!.split("/").pop()!;

/** Runs a small scenario and lists, while its stack still runs, every socket the stack and the harness listen on. */
async function listening(fields: Record<string, unknown>) {
  let sockets: Array<ListeningSocket & { what: string }> = [];
  let processes: string[] = [];
  const run = await runLocal(
    { stages: [{ rate: 2, duration: "1s" }], drain: "30s", ...fields },
    {
      metricsPort: 0,
      // Called after the report is written, while the stack still runs.
      inspect: async (path) => {
        const pids = path.pids();
        processes = pids.map(command);
        sockets = listeningSockets([process.pid, ...pids]).map((s) => ({ ...s, what: s.pid === process.pid ? "harness" : command(s.pid) }));
      },
    },
  );
  return { ...run, sockets, processes };
}

test.serial("a Cosmos stack (a localnet of two validators) listens on 127.0.0.1 only", async (t) => {
  const { result, sockets, processes, survivors } = await listening({
    name: "cosmos-loopback",
    bridge: "cosmos",
    cosmos: { validators: 2, blockTimeMs: 300, accounts: 2 },
  });
  t.log(sockets.map((s) => `${s.what} ${s.address}:${s.port}`).join(", "));
  t.is(result.stats.total.delivered, 2);
  t.deepEqual(processes, ["simd", "simd"]);
  t.deepEqual(
    sockets.filter((s) => s.address !== "127.0.0.1"),
    [],
  );
  const simd = sockets.filter((s) => s.what === "simd");
  // Each validator: CometBFT RPC, P2P and the app's gRPC.
  t.is(new Set(simd.map((s) => s.pid)).size, 2, JSON.stringify(sockets));
  t.true(simd.length >= 6, JSON.stringify(sockets));
  t.true(
    sockets.some((s) => s.what === "harness"),
    "the metrics endpoint",
  );
  t.deepEqual(survivors, []);
});

test.serial("an IBC stack (two localnets of two validators, rly) listens on 127.0.0.1 only", async (t) => {
  const { result, sockets, processes, survivors } = await listening({
    name: "ibc-loopback",
    bridge: "ibc",
    cosmos: { validators: 2, blockTimeMs: 300, accounts: 2 },
    ibc: { relayer: "default" },
  });
  t.log(sockets.map((s) => `${s.what} ${s.address}:${s.port}`).join(", "));
  t.is(result.stats.total.delivered, 2);
  t.deepEqual(processes.sort(), ["rly", "simd", "simd", "simd", "simd"]);
  t.deepEqual(
    sockets.filter((s) => s.address !== "127.0.0.1"),
    [],
  );
  const simd = sockets.filter((s) => s.what === "simd");
  t.is(new Set(simd.map((s) => s.pid)).size, 4, JSON.stringify(sockets));
  t.true(simd.length >= 12, JSON.stringify(sockets));
  t.true(
    sockets.some((s) => s.what === "harness"),
    "the metrics endpoint",
  );
  t.deepEqual(survivors, []);
});
