// Set-up step run by `npm test` and `npm run stress`: makes sure every tool the suites
// need beyond npm packages is present and working. Idempotent; prints what it does.
import { execFileSync } from "node:child_process";
import { chmodSync, statSync } from "node:fs";
import { anvilBinary } from "../chains/anvil.ts";

interface Tool {
  name: string;
  /** Makes the tool usable (build, chmod); returns its version line. */
  ensure(): string;
}

const tools: Tool[] = [
  {
    name: "anvil (@foundry-rs/anvil)",
    ensure() {
      const bin = anvilBinary();
      // npm 11 may skip the package's install script, which is what sets the mode bits.
      if ((statSync(bin).mode & 0o111) === 0) chmodSync(bin, 0o755);
      return execFileSync(bin, ["--version"], { encoding: "utf8" }).split("\n")[0]!.trim();
    },
  },
];

let failed = false;
for (const tool of tools) {
  try {
    console.log(`setup: ${tool.name}: ${tool.ensure()}`);
  } catch (err) {
    failed = true;
    console.error(`setup: ${tool.name}: FAILED — ${(err as Error).message}`);
  }
}
if (failed) {
  console.error("setup: a required tool is not usable; fix the error above (npm install usually does) and re-run.");
  process.exit(1);
}
