import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { isAlive } from "../../src/infra/instance.ts";
import { procArgs, procStat } from "../../src/infra/tether.ts";

/** Every process now running, by pid: its parent and command line (from /proc). */
function processTable(): Map<number, { ppid: number; args: string }> {
  const table = new Map<number, { ppid: number; args: string }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (!stat) continue; // exited while we looked
    table.set(Number(entry), { ppid: stat.ppid, args: procArgs(Number(entry)).join(" ") });
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

export interface ListeningSocket {
  pid: number;
  address: string;
  port: number;
}

/** An address of /proc/net/tcp{,6}: hex, each 32-bit word in the kernel's (little-endian) byte order. */
function procAddress(hex: string): string {
  const words = hex.match(/.{8}/g)!.map((w) => Buffer.from(w, "hex").reverse());
  if (words.length === 1) return [...words[0]!].join(".");
  const bytes = Buffer.concat(words);
  // ::ffff:a.b.c.d is an IPv4 address on a dual-stack socket.
  if (bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return [...bytes.subarray(12)].join(".");
  return (bytes.toString("hex").match(/.{4}/g) ?? []).join(":");
}

/** Every TCP socket in LISTEN state held by one of `pids`, from /proc/net/tcp{,6} and the pids' open files. */
export function listeningSockets(pids: number[]): ListeningSocket[] {
  const owner = new Map<string, number>();
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // exited
    }
    for (const fd of fds) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        if (inode) owner.set(inode, pid);
      } catch {
        // closed meanwhile
      }
    }
  }
  const found: ListeningSocket[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").trim().split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, , state, , , , , , inode] = fields.slice(1);
      if (state !== "0A") continue; // LISTEN
      const pid = owner.get(inode!);
      if (pid === undefined) continue;
      const [address, port] = local!.split(":");
      found.push({ pid, address: procAddress(address!), port: parseInt(port!, 16) });
    }
  }
  return found;
}
