import test from "ava";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../../infra/freePort.ts";
import { validateRelayerConfig } from "./config.ts";
import { ReferenceRelayer } from "./referenceRelayer.ts";
import { loadIntegration } from "../integrationLoader.ts";

const config = validateRelayerConfig(
  {
    pollIntervalMs: 50,
    fetchConcurrency: 1,
    concurrency: 1,
    wallets: 1,
    gasLimit: 400000,
    maxFeeGwei: 200,
    maxAttempts: 1,
    backoffMs: 10,
    receiptTimeoutMs: 1000,
  },
  "test",
);

test("a start that fails (a source chain down) leaves the relayer stopped and its checkpoint as it was", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "bridge-stress-relayer-test-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "checkpoint.json");
  // A checkpoint from a run that read chain 6 only: chain 2 starts at its head, which cannot be read.
  const saved = JSON.stringify({ nextBlock: { 6: "100" }, pending: [`6/${"ab".repeat(32)}/5`] });
  writeFileSync(path, saved);
  // Nothing listens on a port just freed: the watcher's first head read is refused.
  const down = `http://127.0.0.1:${await freePort()}`;
  const relayer = new ReferenceRelayer(
    { vaaApiUrl: down, sources: [{ wormholeChainId: 2, rpcUrl: down, coreAddress: `0x${"11".repeat(20)}`, emitters: [] }], destinations: [] },
    config,
    await loadIntegration(),
    path,
  );
  await t.throwsAsync(relayer.start());
  t.is(relayer.status, "stopped");
  await relayer.stop();
  t.is(relayer.status, "stopped");
  t.is(readFileSync(path, "utf8"), saved, "a partial start does not overwrite the checkpoint it resumed from");
});
