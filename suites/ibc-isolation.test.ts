import test from "ava";
import { readFileSync } from "node:fs";
import { listeningSockets, type ListeningSocket } from "./helpers/processes.ts";
import { runLocal } from "./helpers/run.ts";

// Every socket a Cosmos/IBC stack listens on — each simd validator's RPC, P2P and gRPC, rly,
// the harness's metrics endpoint — is on 127.0.0.1 (suites/isolation.test.ts does the EVM stack).

const command = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0]!.split("/").pop()!;

test("an IBC stack (two localnets of two validators, rly) listens on 127.0.0.1 only", async (t) => {
  let sockets: Array<ListeningSocket & { what: string }> = [];
  let processes = 0;
  const { result, survivors } = await runLocal(
    {
      name: "ibc-loopback",
      bridge: "ibc",
      cosmos: { validators: 2, blockTimeMs: 300, accounts: 2 },
      ibc: { relayer: "default" },
      stages: [{ rate: 2, duration: "1s" }],
      drain: "30s",
    },
    {
      metricsPort: 0,
      // Called while the stack still runs.
      inspect: async (path) => {
        const pids = path.pids();
        processes = pids.length;
        sockets = listeningSockets([process.pid, ...pids]).map((s) => ({ ...s, what: s.pid === process.pid ? "harness" : command(s.pid) }));
      },
    },
  );
  t.is(result.stats.total.delivered, 2);
  t.is(processes, 5, "four validators and rly");
  t.log(sockets.map((s) => `${s.what} ${s.address}:${s.port}`).join(", "));
  t.deepEqual(sockets.filter((s) => s.address !== "127.0.0.1"), []);
  const simd = sockets.filter((s) => s.what === "simd");
  t.is(new Set(simd.map((s) => s.pid)).size, 4, JSON.stringify(sockets));
  // Each validator: CometBFT RPC, P2P and the app's gRPC at least.
  t.true(simd.length >= 12, JSON.stringify(sockets));
  t.true(sockets.some((s) => s.what === "harness"), "the metrics endpoint");
  t.deepEqual(survivors, []);
});
