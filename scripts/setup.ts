// Set-up step run by `npm test` and `npm run stress`: makes sure every tool the suites
// need beyond npm packages is present and working, building what is missing from Go
// modules into .cache/tools (outside git). Idempotent: a tool built from the same pins is
// kept. Prints what it does, and progress while it builds.
//
//   tsx scripts/setup.ts        everything (npm test)
//   tsx scripts/setup.ts evm    anvil and the fault proxy only (npm run stress of an EVM
//                               scenario; a Cosmos scenario builds its tools when it starts)
import { execFileSync } from "node:child_process";
import { chmodSync, statSync } from "node:fs";
import { anvilBinary } from "../chains/anvil.ts";
import { COSMOS_TOOLS, ensureGoTool, type GoTool } from "../chains/tools.ts";

interface Tool {
  name: string;
  /** Makes the tool usable (build, chmod); returns its version line. */
  ensure(): Promise<string>;
}

const goTool = (tool: GoTool): Tool => ({ name: tool, ensure: () => ensureGoTool(tool) });

const anvil: Tool = {
  name: "anvil (@foundry-rs/anvil)",
  async ensure() {
    const bin = anvilBinary();
    // npm 11 may skip the package's install script, which is what sets the mode bits.
    if ((statSync(bin).mode & 0o111) === 0) chmodSync(bin, 0o755);
    return execFileSync(bin, ["--version"], { encoding: "utf8" }).split("\n")[0]!.trim();
  },
};

const only = process.argv[2];
if (only !== undefined && only !== "evm") {
  console.error(`setup: unknown argument "${only}"; use no argument (every tool) or "evm" (anvil and the fault proxy)`);
  process.exit(2);
}
const tools: Tool[] = [anvil, goTool("toxiproxy-server"), ...(only === "evm" ? [] : COSMOS_TOOLS.map(goTool))];

let failed = false;
for (const tool of tools) {
  try {
    console.log(`setup: ${tool.name}: ${await tool.ensure()}`);
  } catch (err) {
    failed = true;
    console.error(`setup: ${tool.name}: FAILED — ${(err as Error).message}`);
  }
}
if (failed) {
  console.error("setup: a required tool is not usable; fix the error above and re-run `npm run setup`.");
  process.exit(1);
}
