import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { isAlive } from "./instance.ts";

// The harness tied to whoever launched it (npm, npx, a CI runner, a terminal), as its child
// processes are tied to the harness (instance.ts), and the /proc reads that needs.

/** A process as /proc/<pid>/stat names it: its parent, and its start time (so a reused pid is not taken for it). */
export function procStat(pid: number): { ppid: number; start: string; zombie: boolean } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces, so it is skipped up to its last ")"): state, ppid, … starttime (22nd field).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), start: fields[19]!, zombie: fields[0] === "Z" };
  } catch {
    return undefined;
  }
}

/** The command line of a process, or [] when it cannot be read. */
export function procArgs(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return [];
  }
}

const SHELLS = new Set(["sh", "dash", "bash", "zsh", "ash", "busybox"]);

/** A `sh -c '…'` that only runs a command for its own parent (npm and npx run scripts and bins so). */
function isShellWrapper(args: string[]): boolean {
  return SHELLS.has(basename(args[0] ?? "")) && args.includes("-c");
}

export interface Launcher {
  pid: number;
  /** Its command line, shortened, for messages. */
  command: string;
  /** What it was when the tether started: its start time (Linux), so a reused pid does not pass for it. */
  start: string | undefined;
}

/**
 * The processes this one depends on: its parent and, while that parent is a `sh -c` wrapper,
 * the wrapper's parent too, up to the first process that is not one (the launcher: npm, npx,
 * a CI runner, a terminal's shell). npx runs a bin through `sh -c`, and that shell may outlive npx.
 */
export function launcherChain(pid = process.pid): Launcher[] {
  const chain: Launcher[] = [];
  let parent = pid === process.pid ? process.ppid : procStat(pid)?.ppid;
  while (parent !== undefined && parent > 1 && chain.length < 8) {
    const args = procArgs(parent);
    const stat = procStat(parent);
    chain.push({ pid: parent, command: args.join(" ").slice(0, 80) || `pid ${parent}`, start: stat?.start });
    if (!isShellWrapper(args)) break;
    parent = stat?.ppid;
  }
  return chain;
}

/** Opt-out: a run meant to outlive its launcher (setsid … &) sets BRIDGE_STRESS_NO_TETHER=1. */
export const NO_TETHER_VARIABLE = "BRIDGE_STRESS_NO_TETHER";

/**
 * Ties this process to whoever launched it, as its chain processes are tied to it: when the
 * launcher (see launcherChain) goes away — npm or npx killed by a CI time-out, a closed
 * terminal — `onGone` is called once (default: SIGTERM to this process, so the run stops as on
 * SIGTERM: partial report, then every instance stopped). Watched by polling every `pollMs`:
 * our parent pid changing (we were re-parented), or a watched process gone or replaced.
 * Returns a function that stops watching.
 */
export function tetherToLauncher(options: { pollMs?: number; onGone?: (launcher: Launcher) => void } = {}): () => void {
  if (process.env[NO_TETHER_VARIABLE] === "1") return () => undefined;
  const chain = launcherChain();
  const parent = process.ppid;
  if (!chain.length) return () => undefined; // started by init: nobody to outlive
  const onGone =
    options.onGone ??
    ((launcher: Launcher) => {
      try {
        process.stderr.write(`bridge-stress: its launcher (pid ${launcher.pid}: ${launcher.command}) is gone; stopping as on SIGTERM\n`);
      } catch {
        // stderr may be gone with the launcher
      }
      process.kill(process.pid, "SIGTERM");
    });
  const timer = setInterval(() => {
    const gone =
      process.ppid !== parent
        ? chain.at(-1)!
        : chain.find((l) => {
            if (l.start === undefined) return !isAlive(l.pid);
            const now = procStat(l.pid);
            return now === undefined || now.zombie || now.start !== l.start;
          });
    if (!gone) return;
    clearInterval(timer);
    onGone(gone);
  }, options.pollMs ?? 500);
  timer.unref();
  return () => clearInterval(timer);
}
