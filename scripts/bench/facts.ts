import { cpus, totalmem } from "node:os";
import { environmentFacts } from "../../src/report/manifest.ts";

/** The date, machine and commit lines every benchmark section of BENCHMARKS.md starts with. */
export function machineLines(): string[] {
  const env = environmentFacts();
  return [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${cpus().length} × ${env.cpuModel}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${env.platform}, Node ${env.node}`,
    `- commit: ${env.gitCommit}`,
  ];
}
