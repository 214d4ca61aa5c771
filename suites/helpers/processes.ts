import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { isAlive } from "../../chains/instance.ts";

/** Every process now running, by pid: its parent and command line (from /proc). */
function processTable(): Map<number, { ppid: number; args: string }> {
  const table = new Map<number, { ppid: number; args: string }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim();
      table.set(Number(entry), { ppid, args });
    } catch {
      // exited while we looked
    }
  }
  return table;
}

/** The processes below `root` (children, grandchildren, …), with their command lines. */
export function descendants(root: number): Array<{ pid: number; ppid: number; args: string }> {
  const table = processTable();
  const found: Array<{ pid: number; ppid: number; args: string }> = [];
  const walk = (pid: number) => {
    for (const [child, { ppid, args }] of table) {
      if (ppid !== pid) continue;
      found.push({ pid: child, ppid, args });
      walk(child);
    }
  };
  walk(root);
  return found;
}

/** Waits until none of `pids` is alive or `ms` passed; returns the ones still alive. */
export async function survivorsAfter(pids: number[], ms: number): Promise<number[]> {
  const until = Date.now() + ms;
  while (pids.some(isAlive) && Date.now() < until) await sleep(100);
  return pids.filter(isAlive);
}
