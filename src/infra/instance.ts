import { within } from "./within.ts";
import { spawn, type ChildProcess } from "node:child_process";
import { type Instance, InstanceError, Lifecycle, LifecycleInstance } from "./lifecycle.ts";

export { type Instance, InstanceError, type InstanceStatus } from "./lifecycle.ts";

/** Keeps the last `size` lines written to it. */
export class LogRing {
  private lines: string[] = [];
  private partial = "";
  constructor(private readonly size = 200) {}

  write(chunk: string): string[] {
    const parts = (this.partial + chunk).split("\n");
    this.partial = parts.pop() ?? "";
    for (const line of parts) this.lines.push(line);
    if (this.lines.length > this.size) this.lines.splice(0, this.lines.length - this.size);
    return parts;
  }

  /** Adds one whole line. */
  push(line: string): void {
    this.write(`${line}\n`);
  }

  tail(n = this.size): string[] {
    return this.lines.slice(-n);
  }
}

// The shell tethers the child to our stdin pipe: if this Node process dies in any
// way (even SIGKILL, or AVA killing a timed-out test file) the pipe closes and the
// child is terminated, so no chain process outlives the harness.
const TETHER = [
  "exec 3<&0",
  '"$@" </dev/null &',
  "c=$!",
  'echo "tether-child $c" >&2',
  "( read _ <&3; kill -TERM $c 2>/dev/null ) &",
  "w=$!",
  "trap 'kill -TERM $c 2>/dev/null' TERM INT",
  "while kill -0 $c 2>/dev/null; do wait $c; s=$?; done",
  "kill $w 2>/dev/null",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
  "exit ${s:-0}",
].join("\n");

export interface ProcessOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * Readiness rule: called with every output line; return a truthy value once the
   * process is ready. Default: ready as soon as it is spawned.
   */
  readyWhen?: (line: string) => boolean;
  /** How long start() waits for readiness before failing. Default 20 s. */
  startTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL. Default 5 s. */
  stopTimeoutMs?: number;
  /** Called with every output line after the readiness rule. */
  onLine?: (line: string) => void;
}

/** Leeway of the Lifecycle's time-outs over the process's own (its readiness wait, SIGTERM then SIGKILL), which fail first and say more. */
const LEEWAY_MS = 5_000;

/** A spawned OS process with the Instance lifecycle (a Lifecycle: spawn and wait for readiness; SIGTERM, then SIGKILL). */
export class ProcessInstance extends LifecycleInstance {
  /** PID of the real process (not of its tether shell), once started. */
  pid: number | undefined;
  private child: ChildProcess | undefined;
  private readonly ring = new LogRing();
  private exited: Promise<number | null> | undefined;
  /** Settles once the tether shell has said the real process's pid, or has exited. */
  private spawned: Promise<void> | undefined;
  protected readonly life: Lifecycle;

  constructor(readonly options: ProcessOptions) {
    super();
    const { startTimeoutMs = 20_000, stopTimeoutMs = 5_000 } = options;
    this.life = new Lifecycle({
      name: options.name,
      start: (signal) => this.spawnUntilReady(signal),
      stop: () => this.terminate(),
      logs: () => this.logs(),
      startTimeoutMs: startTimeoutMs + LEEWAY_MS,
      // Waiting for the pid, then SIGTERM and SIGKILL after stopTimeoutMs each.
      stopTimeoutMs: 2 * stopTimeoutMs + LEEWAY_MS,
    });
  }

  get name(): string {
    return this.options.name;
  }

  logs(): string[] {
    return this.ring.tail();
  }

  private async spawnUntilReady(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const { command, args, env, cwd, readyWhen, startTimeoutMs = 20_000 } = this.options;
    const child = spawn("sh", ["-c", TETHER, "sh", command, ...args], {
      env: env ?? process.env,
      cwd,
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    let spawned!: () => void;
    this.spawned = new Promise((resolve) => (spawned = resolve));
    void this.exited.then(spawned);
    registerForCleanup(this);

    await new Promise<void>((resolve, reject) => {
      let ready = !readyWhen;
      const timer = setTimeout(() => {
        if (!ready) fail(`not ready after ${startTimeoutMs} ms`);
      }, startTimeoutMs);
      const fail = (why: string) => {
        clearTimeout(timer);
        reject(new InstanceError(this.name, why, this.ring.tail()));
      };
      signal.addEventListener("abort", () => fail("stopped before it was ready"), { once: true });
      const onLines = (chunk: Buffer) => {
        for (const line of this.ring.write(chunk.toString())) {
          const tether = /^tether-child (\d+)$/.exec(line);
          if (tether) {
            this.pid = Number(tether[1]);
            spawned();
            if (!readyWhen) {
              clearTimeout(timer);
              resolve();
            }
            continue;
          }
          if (!ready && readyWhen?.(line)) {
            ready = true;
            clearTimeout(timer);
            resolve();
          }
          this.options.onLine?.(line);
        }
      };
      child.stdout!.on("data", onLines);
      child.stderr!.on("data", onLines);
      child.once("error", (err) => fail(`could not spawn ${command}: ${err.message}`));
      child.once("exit", (code) => {
        if (!ready) fail(`exited with code ${code} before it was ready`);
      });
    });
  }

  private async terminate(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const { stopTimeoutMs = 5_000 } = this.options;
    // Stopped in its first moments, the shell may not have set up its trap yet, and a TERM
    // to it would leave its child running. So wait for the child's pid and signal the child
    // itself: the shell, still alive, reaps it and exits.
    if (this.pid === undefined) await within(this.spawned!, stopTimeoutMs);
    if (child.exitCode === null && child.signalCode === null) {
      if (this.pid) tryKill(this.pid, "SIGTERM");
      else child.kill("SIGTERM");
      const timer = setTimeout(() => {
        if (this.pid) tryKill(this.pid, "SIGKILL");
        child.kill("SIGKILL");
      }, stopTimeoutMs);
      await this.exited;
      clearTimeout(timer);
    }
    child.stdin?.destroy();
    unregisterForCleanup(this);
  }
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** True while a process with this PID exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Every started instance is stopped on Ctrl-C / SIGTERM; on a plain exit the
// tether takes the processes down with us.
const live = new Set<Instance>();
const shutdownHooks = new Set<() => Promise<void>>();
let handlersInstalled = false;

/**
 * Runs `hook` on Ctrl-C / SIGTERM before the instances are stopped (e.g. to write a
 * partial report). Returns a function that removes it.
 */
export function onShutdown(hook: () => Promise<void>): () => void {
  shutdownHooks.add(hook);
  installHandlers();
  return () => shutdownHooks.delete(hook);
}

export function registerForCleanup(instance: Instance): void {
  live.add(instance);
  installHandlers();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      const hooks = [...shutdownHooks];
      shutdownHooks.clear();
      void Promise.allSettled(hooks.map((hook) => hook()))
        .then(stopAll)
        .finally(() => process.kill(process.pid, signal));
    });
  }
}

export function unregisterForCleanup(instance: Instance): void {
  live.delete(instance);
}

/** Stops every instance still running, newest first. */
export async function stopAll(): Promise<void> {
  const all = [...live].reverse();
  live.clear();
  await Promise.allSettled(all.map((i) => i.stop()));
}
