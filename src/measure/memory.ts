import { readFileSync } from "node:fs";
import { freemem, totalmem } from "node:os";

/** Resident memory of process `pid` in bytes (VmRSS of /proc/<pid>/status); undefined where it cannot be read (gone, not Linux). */
export function processRssBytes(pid: number): number | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, "latin1");
  } catch {
    return undefined;
  }
  const kB = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  return kB === undefined ? undefined : Number(kB) * 1024;
}

/**
 * The machine's memory in bytes: its total and how much is available to start new work without
 * swapping (MemAvailable of /proc/meminfo: free memory plus the page cache and reclaimable slabs
 * the kernel can give back); os.freemem() where there is no /proc/meminfo.
 */
export function machineMemory(): { totalBytes: number; availableBytes: number } {
  let meminfo = "";
  try {
    meminfo = readFileSync("/proc/meminfo", "latin1");
  } catch {
    // No /proc/meminfo: Node's own figures below.
  }
  const bytesOf = (field: string) => {
    const value = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m").exec(meminfo)?.[1];
    return value === undefined ? undefined : Number(value) * 1024;
  };
  const [totalBytes, availableBytes] = [bytesOf("MemTotal"), bytesOf("MemAvailable")];
  if (totalBytes !== undefined && availableBytes !== undefined) return { totalBytes, availableBytes };
  return { totalBytes: totalmem(), availableBytes: freemem() };
}
