import { BridgeStressError } from "./errors.ts";
import { within } from "./within.ts";

/** Lifecycle of every long-lived part of a stack: chains, guardians, relayers, proxies. */
export type InstanceStatus = "idle" | "starting" | "started" | "stopping" | "stopped";

export interface Instance {
  readonly name: string;
  readonly status: InstanceStatus;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The most recent log lines, newest last (for error messages and debugging). */
  logs(): string[];
}

/** A part (a chain, a tool process, an in-process service) that failed to start, stop or answer, with its recent log lines. */
export class InstanceError extends BridgeStressError {
  static override readonly code = "part-failed";
  static override readonly docs = "README.md#errors";
  constructor(instance: string, message: string, logs: string[] = []) {
    super(`${instance}: ${message}`, logs.length ? { details: `--- last log lines of ${instance} ---\n${logs.slice(-15).join("\n")}` } : {});
  }
}

/** How long a part may take to start before it is taken down and its start fails, unless it says otherwise. */
export const START_TIMEOUT_MS = 60_000;
/** How long a part may take to stop before stop() fails, unless it says otherwise. */
export const STOP_TIMEOUT_MS = 30_000;

/** What a long-lived part (in this process, or a spawned one: ProcessInstance) does to come up and go down; the Lifecycle guards when each is called. */
export interface LifecycleHooks {
  /** The part's name, as its errors show it. */
  name: string;
  /**
   * Brings the part up. `signal` is aborted when stop() is called during the start or its
   * time-out passes: a start of several steps checks it between them (signal.throwIfAborted()).
   */
  start(signal: AbortSignal): Promise<void>;
  /**
   * Takes down whatever start brought up: all of it after a start, what there is after a start
   * that failed, timed out or was stopped midway. Not called when start was never called.
   */
  stop(): Promise<void>;
  /** Recent log lines, shown in time-out errors. */
  logs?(): string[];
  /** [START_TIMEOUT_MS] */
  startTimeoutMs?: number;
  /** [STOP_TIMEOUT_MS] */
  stopTimeoutMs?: number;
}

/**
 * The instance lifecycle of every long-lived part, in this process or not (a guarded status machine, as
 * prool's defineInstance): idle → starting → started → stopping → stopped, and from stopped
 * it may start again.
 * - start() is idempotent while starting or started (one start, every caller gets its
 *   outcome) and refused while stopping (an InstanceError: await stop() first).
 * - stop() is idempotent (one stop, every caller gets its outcome) and safe in any state: from
 *   idle it only marks the part stopped; during a start it aborts the start, waits for the
 *   start hook to return (at most the stop time-out), then takes down what it brought up,
 *   and the start rejects ("stopped before it had started").
 * - A start that fails or times out takes down what it brought up, leaves the part stopped
 *   and rejects: with the hook's own error, or an InstanceError naming the part, the time-out
 *   and its recent log lines.
 * - A stop hook that fails or times out still leaves the part stopped (nothing is retried);
 *   stop() rejects with its error, or an InstanceError naming the part and the time-out.
 */
export class Lifecycle {
  private state: InstanceStatus = "idle";
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private abort: AbortController | undefined;

  constructor(private readonly hooks: LifecycleHooks) {}

  get status(): InstanceStatus {
    return this.state;
  }

  start(): Promise<void> {
    if (this.state === "started") return Promise.resolve();
    if (this.state === "starting") return this.starting!;
    if (this.state === "stopping") return Promise.reject(new InstanceError(this.hooks.name, "start() refused while it is stopping; await stop() first"));
    this.state = "starting";
    const abort = new AbortController();
    this.abort = abort;
    this.starting = this.bringUp(abort);
    return this.starting;
  }

  stop(): Promise<void> {
    switch (this.state) {
      case "idle":
        this.state = "stopped";
        return Promise.resolve();
      case "stopped":
        return Promise.resolve();
      case "stopping":
        return this.stopping!;
      case "starting":
        // The start takes down what it brought up before it settles.
        this.abort!.abort();
        return this.starting!.catch(() => undefined);
      case "started":
        return this.takeDown();
    }
  }

  private async bringUp(abort: AbortController): Promise<void> {
    const { name, startTimeoutMs = START_TIMEOUT_MS, stopTimeoutMs = STOP_TIMEOUT_MS } = this.hooks;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), startTimeoutMs);
    });
    const aborted = new Promise<"aborted">((resolve) => abort.signal.addEventListener("abort", () => resolve("aborted"), { once: true }));
    // Promise.resolve().then: a hook that throws at once fails the start like one that rejects.
    const hook = Promise.resolve()
      .then(() => this.hooks.start(abort.signal))
      .then(() => "started" as const);
    let failure: unknown;
    try {
      const outcome = await Promise.race([hook, timedOut, aborted]);
      if (outcome === "started" && !abort.signal.aborted) {
        this.state = "started";
        return;
      }
      failure =
        outcome === "timeout"
          ? new InstanceError(name, `did not start within its start time-out of ${startTimeoutMs} ms`, this.logs())
          : new InstanceError(name, "stopped before it had started");
    } catch (err) {
      failure = err;
    } finally {
      clearTimeout(timer);
      this.abort = undefined;
    }
    // Not started: the hook is told to give up, given the stop time-out to return (so what it
    // is bringing up is there to take down), then what it brought up is taken down. A failure
    // of that clean-up is not reported over the start's own failure.
    abort.abort();
    await within(
      hook.catch(() => undefined),
      stopTimeoutMs,
    );
    await this.takeDown().catch(() => undefined);
    throw failure;
  }

  private takeDown(): Promise<void> {
    const { name, stopTimeoutMs = STOP_TIMEOUT_MS } = this.hooks;
    this.state = "stopping";
    const stopping = (async () => {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), stopTimeoutMs);
      });
      try {
        const hook = Promise.resolve()
          .then(() => this.hooks.stop())
          .then(() => "stopped" as const);
        if ((await Promise.race([hook, timedOut])) === "timeout")
          throw new InstanceError(name, `did not stop within its stop time-out of ${stopTimeoutMs} ms`, this.logs());
      } finally {
        clearTimeout(timer);
        this.state = "stopped";
        this.stopping = undefined;
      }
    })();
    this.stopping = stopping;
    return stopping;
  }

  private logs(): string[] {
    try {
      return this.hooks.logs?.() ?? [];
    } catch {
      return [];
    }
  }
}

/**
 * An Instance whose start and stop run through its Lifecycle (`life`): `status`, `start()` and
 * `stop()` are the lifecycle's. The part gives its name, its recent log lines, and the lifecycle
 * with its start and stop hooks.
 */
export abstract class LifecycleInstance implements Instance {
  abstract readonly name: string;
  protected abstract readonly life: Lifecycle;
  abstract logs(): string[];

  get status(): InstanceStatus {
    return this.life.status;
  }

  start(): Promise<void> {
    return this.life.start();
  }

  stop(): Promise<void> {
    return this.life.stop();
  }
}
