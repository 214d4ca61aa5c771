import { setTimeout as sleep } from "node:timers/promises";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { now } from "../infra/clock.ts";

export interface Scheduled {
  /** Intended send time, ms after `startedAt`. */
  intendedAt: number;
}

/** Waits shorter than this are left to the clock thread; longer ones sleep on a timer first. */
const TIMER_MARGIN_MS = 5;
/** The clock thread wakes the main thread this early; the rest is yielded away with setImmediate. */
const WAKE_EARLY_MS = 0.1;
/**
 * Sends closer together than this are waited for by yielding (setImmediate) instead: waking
 * a sleeping thread can take over a millisecond on a VM, and at such rates the spin is
 * near-continuous anyway.
 */
const SPIN_BELOW_GAP_MS = 1.5;

/**
 * Sub-millisecond waits without spinning. A Node timer overshoots by up to about a
 * millisecond (libuv keeps loop time in whole ms), and spinning through the last stretch
 * costs a core the chains need and reads as a busy event loop. So, for sends at least
 * SPIN_BELOW_GAP_MS apart, a worker thread blocks in Atomics.wait until just before the
 * instant and wakes the main thread with a message; closer sends spin, where the spin is
 * near-continuous anyway and a woken thread is sometimes over a millisecond late. Until the
 * thread is up, or if it fails, waits spin. (Figures: BENCHMARKS.md, dispatcher accuracy.)
 */
class Ticker {
  private worker: Worker | undefined;
  private online: Promise<boolean> | undefined;
  private ready = false;
  private waiting: (() => void) | undefined;

  /** Starts the thread (once); resolves true when it is up, false when it could not start. */
  start(): Promise<boolean> {
    this.online ??= new Promise<boolean>((resolve) => {
      try {
        // Plain JavaScript: no loader (tsx) in the thread, which would also hold the process open.
        const worker = new Worker(new URL("./tickWorker.mjs", import.meta.url), { execArgv: [] });
        worker.on("online", () => {
          this.ready = true;
          // From now on it never keeps the process alive by itself, and lives as long as the
          // process: held open only while a wait is under way (see until).
          worker.unref();
          resolve(true);
        });
        worker.on("message", () => {
          const wake = this.waiting;
          this.waiting = undefined;
          wake?.();
        });
        worker.on("error", () => (this.fail(), resolve(false)));
        worker.on("exit", () => (this.fail(), resolve(false)));
        this.worker = worker;
      } catch {
        resolve(false);
      }
    });
    return this.online;
  }

  /** Resolves at `at` (clock.now() milliseconds), or just after. */
  async until(at: number): Promise<void> {
    if (this.worker && this.ready && !this.waiting) {
      const worker = this.worker;
      // Held open only while a wait is under way.
      worker.ref();
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
        worker.postMessage(performance.timeOrigin + at - WAKE_EARLY_MS);
      });
      worker.unref();
    }
    while (now() < at) await new Promise((resolve) => setImmediate(resolve));
  }

  private fail(): void {
    this.worker = undefined;
    this.ready = false;
    const wake = this.waiting;
    this.waiting = undefined;
    wake?.();
  }
}

const ticker = new Ticker();

/**
 * Starts the dispatcher's clock thread ahead of a run: starting it takes the main thread
 * ~30 ms, which would make the first sends late. dispatch() starts it too if nobody did.
 */
export function prepareDispatcher(): Promise<boolean> {
  return ticker.start();
}

/**
 * Sends each item at its intended time with one catch-up loop (not a timer per message,
 * which falls behind at high rates): every turn it sends everything already due, so a
 * sender that fell behind catches up and the lateness shows in the send times instead of
 * stretching the schedule. `send` must not wait for delivery (open model).
 */
export async function dispatch<T extends Scheduled>(items: Iterable<T>, startedAt: number, send: (item: T) => void, signal?: AbortSignal): Promise<void> {
  void ticker.start();
  let previous = -Infinity;
  for (const item of items) {
    if (signal?.aborted) return;
    const due = startedAt + item.intendedAt;
    const dense = item.intendedAt - previous < SPIN_BELOW_GAP_MS;
    previous = item.intendedAt;
    let wait = due - now();
    while (wait > 0) {
      if (wait > TIMER_MARGIN_MS) await sleep(wait - TIMER_MARGIN_MS);
      else if (dense) await new Promise((resolve) => setImmediate(resolve));
      else await ticker.until(due);
      if (signal?.aborted) return;
      wait = due - now();
    }
    send(item);
  }
}
