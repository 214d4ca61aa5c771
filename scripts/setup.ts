// Set-up step run by `npm test` and `npm run stress`: makes sure every tool the suites
// need beyond npm packages is present and working, building what is missing from Go
// modules into .cache/tools (outside git), and installing Debian's chromium for the report's
// browser test. Idempotent: a tool built from the same pins is
// kept. Prints what it does, and progress while it builds.
//
//   tsx scripts/setup.ts        everything (npm test)
//   tsx scripts/setup.ts evm    anvil and the fault proxy only (npm run stress of an EVM
//                               scenario; a Cosmos scenario builds its tools when it starts)
//   tsx scripts/setup.ts quick  evm and chromium (npm run test:quick)
//   tsx scripts/setup.ts bench  anvil and simd (npm run bench: no fault proxy, IBC relayer or browser)
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, statSync } from "node:fs";
import { anvilBinary } from "../chains/anvil.ts";
import { CHROMIUM, COSMOS_TOOLS, ensureGoTool, type GoTool } from "../chains/tools.ts";

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

/**
 * Debian's Chromium, for the suite that opens the HTML report in a real browser. Installed
 * with apt-get when missing (the machine's Debian mirror is reachable; a test tool's own
 * browser download is not).
 */
const chromium: Tool = {
  name: "chromium (Debian package, for the report browser test)",
  async ensure() {
    const version = () => execFileSync(CHROMIUM, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    if (existsSync(CHROMIUM)) return version();
    if (process.getuid?.() !== 0) throw new Error(`${CHROMIUM} is missing and installing it needs root: run "sudo apt-get install -y chromium"`);
    console.log("setup: chromium: not installed; installing Debian's chromium package with apt-get (about a minute)");
    const install = () =>
      spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], {
        stdio: "inherit",
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      }).status === 0;
    // A fresh machine may have no package lists yet.
    if (!install()) {
      spawnSync("apt-get", ["update"], { stdio: "inherit" });
      if (!install()) throw new Error("apt-get install chromium failed (output above)");
    }
    return version();
  },
};

const only = process.argv[2];
if (only !== undefined && only !== "evm" && only !== "quick" && only !== "bench") {
  console.error(
    `setup: unknown argument "${only}"; use no argument (every tool), "evm" (anvil and the fault proxy), "quick" (evm and chromium) or "bench" (anvil and simd)`,
  );
  process.exit(2);
}
const tools: Tool[] =
  only === "bench"
    ? [anvil, goTool("simd")]
    : [anvil, goTool("toxiproxy-server"), ...(only === undefined ? COSMOS_TOOLS.map(goTool) : []), ...(only === "evm" ? [] : [chromium])];

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
