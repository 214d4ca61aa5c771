import test from "ava";
import { once } from "node:events";
import { createServer, request, type Server } from "node:http";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Anvil } from "../chains/anvil.ts";
import { chainUrlVariable } from "../chains/profiles.ts";
import { createRunDir } from "../src/run.ts";
import { bundleRun } from "../src/report/bundle.ts";
import { descendants, listeningSockets, type ListeningSocket } from "./helpers/processes.ts";
import { runLocal, startRun } from "./helpers/run.ts";

// Two runs on one machine at once do not collide (ports, folders), every socket a stack
// listens on is on 127.0.0.1, and a secret in an RPC URL never reaches a report file.

const dir = mkdtempSync(join(tmpdir(), "bridge-stress-isolation-"));

test("two runs at once: each its own ports and folder, and every socket they listen on is on 127.0.0.1", async (t) => {
  const scenario = join(dir, "side-by-side.json");
  writeFileSync(
    scenario,
    JSON.stringify({
      name: "side-by-side",
      chains: { Ethereum: { blockTimeMs: 200 }, Base: { blockTimeMs: 200 } },
      routes: [{ from: "Ethereum", to: ["Base"] }],
      stages: [{ rate: 2, duration: "15s" }],
      drain: "15s",
      senders: 1,
      // A network fault: the fault proxy (Toxiproxy) runs too, with its API and one listener per link.
      faults: [{ at: "1s", for: "1s", kind: "rpc-latency", target: "Base", ms: 50 }],
    }),
  );
  const out = mkdtempSync(join(dir, "runs-"));
  // The same scenario and seed into the same folder, at the same time.
  const runs = [0, 1].map(() => {
    const { child: cli, exited, underWay, output } = startRun(process.execPath, ["bin/bridge-stress.js", "run", scenario, "--out", out, "--metrics-port", "0"]);
    t.teardown(() => cli.kill("SIGKILL"));
    return { cli, exited, underWay, output };
  });
  await Promise.all(runs.map((r) => r.underWay));
  t.true(
    runs.every((r) => r.cli.exitCode === null),
    runs.map((r) => r.output()).join("\n---\n"),
  );
  // Both stacks are up: what does each listen on?
  const listening = runs.map(({ cli }) => {
    const below = descendants(cli.pid!);
    const name = (pid: number) => {
      const args = below.find((p) => p.pid === pid)?.args ?? "";
      return pid === cli.pid ? "harness" : /anvil/.test(args) ? "anvil" : /toxiproxy/.test(args) ? "toxiproxy" : "other";
    };
    return listeningSockets([cli.pid!, ...below.map((p) => p.pid)]).map((s) => ({ ...s, what: name(s.pid) }));
  });
  for (const sockets of listening) {
    t.deepEqual(
      sockets.filter((s) => s.address !== "127.0.0.1"),
      [] as ListeningSocket[],
    );
    const count = (what: string) => new Set(sockets.filter((s) => s.what === what).map((s) => s.pid)).size;
    t.is(count("anvil"), 2, JSON.stringify(sockets));
    t.is(count("toxiproxy"), 1, JSON.stringify(sockets));
    // The harness itself: the guardians' VAA API and the metrics endpoint.
    t.true(sockets.filter((s) => s.what === "harness").length >= 2, JSON.stringify(sockets));
    // The fault proxy's API and its listeners (one per chain and the VAA API).
    t.true(sockets.filter((s) => s.what === "toxiproxy").length >= 4, JSON.stringify(sockets));
  }
  const ports = listening.map((sockets) => new Set(sockets.map((s) => s.port)));
  t.deepEqual(
    [...ports[0]!].filter((p) => ports[1]!.has(p)),
    [],
    "the two runs share no port",
  );
  const codes = await Promise.all(runs.map((r) => r.exited.then(([code]) => code)));
  t.deepEqual(codes, [0, 0], runs.map((r) => r.output()).join("\n---\n"));
  const folders = readdirSync(out).filter((f) => statSync(join(out, f)).isDirectory());
  t.is(folders.length, 2);
  for (const folder of folders) t.true(JSON.parse(readFileSync(join(out, folder, "manifest.json"), "utf8")).complete);
});

test("two runs given the same folder name (same scenario, seed and millisecond) get a folder each", (t) => {
  const parent = mkdtempSync(join(dir, "same-name-"));
  const first = createRunDir(parent, "2026-01-01T00-00-00-000Z-smoke-seed7");
  const second = createRunDir(parent, "2026-01-01T00-00-00-000Z-smoke-seed7");
  t.not(first, second);
  t.is(second, `${first}-2`);
});

/**
 * Stands in for a hosted RPC provider: answers only requests that carry the key in the path, the
 * query and the user info (as basic auth), and hands them to an anvil, which takes JSON-RPC at "/" only.
 */
async function provider(upstream: string, secrets: { user: string; password: string; pathKey: string; queryKey: string }) {
  let served = 0;
  const auth = `Basic ${Buffer.from(`${secrets.user}:${secrets.password}`).toString("base64")}`;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname !== `/v3/${secrets.pathKey}` || url.searchParams.get("apikey") !== secrets.queryKey || req.headers.authorization !== auth) {
      res.writeHead(401).end();
      return;
    }
    served++;
    const forward = request(upstream, { method: "POST", headers: { "content-type": "application/json" } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { "content-type": "application/json" });
      answer.pipe(res);
    });
    forward.on("error", () => res.writeHead(502).end());
    req.pipe(forward);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  return {
    url: `http://${secrets.user}:${secrets.password}@127.0.0.1:${port}/v3/${secrets.pathKey}?apikey=${secrets.queryKey}`,
    served: () => served,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test("a secret in an RPC URL (user info, query key, path key) is in no file of the run, its bundle or report.html", async (t) => {
  const secrets = { user: "alice", password: "pwUserinfo1", pathKey: "s3cr3tK3y", queryKey: "qApikey2" };
  const origin = new Anvil({ name: "origin:Ethereum", chainId: 1, blockTimeMs: 200 });
  const devnet = new Anvil({ name: "devnet:Base", chainId: 8453, blockTimeMs: 200 });
  t.teardown(() => Promise.all([origin.stop(), devnet.stop()]));
  await Promise.all([origin.start(), devnet.start()]);
  const [forkProvider, remoteProvider] = await Promise.all([provider(origin.rpcUrl, secrets), provider(devnet.rpcUrl, secrets)]);
  t.teardown(() => Promise.all([forkProvider.close(), remoteProvider.close()]));
  // Ethereum forked from the "provider", Base a remote dev node behind it.
  const forkVariable = chainUrlVariable("Ethereum", "fork");
  const remoteVariable = chainUrlVariable("Base", "remote");
  process.env[forkVariable] = forkProvider.url;
  process.env[remoteVariable] = remoteProvider.url;
  t.teardown(() => {
    delete process.env[forkVariable];
    delete process.env[remoteVariable];
  });
  const { result } = await runLocal({
    name: "secrets",
    chains: { Ethereum: { mode: "fork", blockTimeMs: 200 }, Base: { mode: "remote" } },
    stages: [{ rate: 5, duration: "2s" }],
    drain: "15s",
    senders: 1,
    thresholds: ["drop_rate==0"],
  });
  t.is(result.stats.total.delivered, 10);
  // The secrets were in use: both chains were reached through the URLs that carry them.
  t.true(forkProvider.served() > 0 && remoteProvider.served() > 0);
  t.true("path" in result.html);
  const { archive } = bundleRun(result.runDir);
  const files = readdirSync(result.runDir).map((f) => ({ name: f, data: readFileSync(join(result.runDir, f)) }));
  // The bundle's files, uncompressed (a tar holds its files' bytes as they are).
  files.push({ name: "bundle (uncompressed)", data: gunzipSync(readFileSync(archive)) });
  const names = files.map((f) => f.name);
  t.true(names.includes("report.html") && names.includes("manifest.json") && names.includes("messages.csv"), names.join(", "));
  const leaks = files.flatMap(({ name, data }) =>
    Object.values(secrets)
      .filter((secret) => data.includes(secret))
      .map((secret) => `${secret} in ${name}`),
  );
  t.deepEqual(leaks, []);
  // The endpoint is still named, without its secrets.
  const manifest = JSON.parse(readFileSync(join(result.runDir, "manifest.json"), "utf8"));
  t.regex(manifest.endpoints.Base, /^http:\/\/redacted@127\.0\.0\.1:\d+\/redacted\?apikey=redacted$/);
});
