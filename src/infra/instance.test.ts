import test from "ava";
import { setTimeout as sleep } from "node:timers/promises";
import { Anvil } from "../../chains/anvil.ts";
import { isAlive } from "./instance.ts";

test("a process stopped in its first milliseconds does not outlive stop(), not even as a zombie", async (t) => {
  const pids: number[] = [];
  for (let i = 0; i < 12; i++) {
    const anvil = new Anvil({ chainId: 1, blockTimeMs: 500 });
    const starting = anvil.start().catch(() => undefined);
    // Stopped at once, or a few ms into start-up: before and after the tether shell set up its trap.
    await sleep(i % 4);
    await anvil.stop();
    await starting;
    if (anvil.pid) pids.push(anvil.pid);
  }
  t.true(pids.length > 0, "the tether shell reported the child's pid");
  // A killed child is gone once its shell has reaped it (a zombie still answers signal 0).
  await sleep(200);
  t.deepEqual(pids.filter(isAlive), []);
});
