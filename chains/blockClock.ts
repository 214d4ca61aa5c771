import { Worker } from "node:worker_threads";
import { InstanceError, LogRing } from "../src/infra/instance.ts";
import { Lifecycle, LifecycleInstance } from "../src/infra/lifecycle.ts";

/**
 * Mines anvil chains started with `mining: "clock"` (`--no-mining`) from one clock: chain c's
 * blocks come at origin + k·period_c, the origin shared, so chains with the same block time
 * produce their blocks at the same instants in every run. Each anvil's own interval timer
 * starts when its process does, which puts two chains' blocks at a random offset from each
 * other, different in every run; a relayer that takes turns between destinations (one
 * submission at a time) is then faster or slower by that luck. The ticks run on a thread of
 * their own (blockClockWorker.mjs), so a busy harness does not stretch block times.
 */
export class BlockClock extends LifecycleInstance {
  readonly name = "block-clock";
  private worker: Worker | undefined;
  private readonly recent = new LogRing();
  /** Block-interval lateness by chain URL since takeLateness() last took it, ms. */
  private lateness = new Map<string, number[]>();
  protected readonly life = new Lifecycle({
    name: this.name,
    logs: () => this.recent.tail(),
    start: () => this.open(),
    stop: () => this.close(),
  });

  /** `chains`: each chain's RPC URL and block time in ms. */
  constructor(private readonly chains: { rpcUrl: string; blockTimeMs: number }[]) {
    super();
  }

  logs(): string[] {
    return this.recent.tail();
  }

  private async open(): Promise<void> {
    // Plain JavaScript: no loader (tsx) in the thread.
    const worker = new Worker(new URL("./blockClockWorker.mjs", import.meta.url), { execArgv: [] });
    this.worker = worker;
    worker.on("message", ({ url, error, lateMs }: { url: string; error?: string; lateMs?: number }) => {
      if (error !== undefined) this.recent.push(`${url}: ${error}`);
      if (lateMs === undefined) return;
      const late = this.lateness.get(url);
      if (late) late.push(lateMs);
      else this.lateness.set(url, [lateMs]);
    });
    worker.on("error", (err) => this.recent.push(`block clock thread failed: ${err.message}`));
    await new Promise<void>((resolve, reject) => {
      worker.once("online", resolve);
      worker.once("error", (err) => reject(new InstanceError(this.name, `its thread did not start: ${err.message}`)));
    });
    for (const { rpcUrl, blockTimeMs } of this.chains) this.setBlockTime(rpcUrl, blockTimeMs);
  }

  /**
   * Each chain's block-interval lateness (ms, by RPC URL) of the blocks made since the last call:
   * the time its evm_mine answered (the block made) minus the tick it was scheduled for. A chain
   * slow to make its blocks shows here, apart from the bridge's own delays.
   */
  takeLateness(): Map<string, number[]> {
    const taken = this.lateness;
    this.lateness = new Map();
    return taken;
  }

  /** Mines the chain at `rpcUrl` every `ms` from now on, on the shared origin's ticks of `ms`. */
  setBlockTime(rpcUrl: string, ms: number): void {
    if (!(ms > 0)) throw new Error(`block clock: block time ${ms} ms for ${rpcUrl}; it must be a positive number of ms`);
    if (!this.worker) throw new InstanceError(this.name, "is not started");
    this.worker.postMessage({ url: rpcUrl, periodMs: ms });
  }

  private async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}
