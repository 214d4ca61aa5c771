// Set-up step run by `npm test` and `npm run stress`: makes sure every tool the suites
// need beyond npm packages is present and working, building what is missing from Go
// modules into .cache/tools (outside git). Idempotent: a built tool of the pinned version
// is kept. Prints what it does.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { anvilBinary } from "../chains/anvil.ts";
import { GO_TOOLS, TOOLS_DIR, type GoTool } from "../chains/tools.ts";

interface Tool {
  name: string;
  /** Makes the tool usable (build, chmod); returns its version line. */
  ensure(): string;
}

function goTool(tool: GoTool): Tool {
  const { module, version, builds } = GO_TOOLS[tool];
  return {
    name: `${tool} (${module}@${version})`,
    ensure() {
      const bin = join(TOOLS_DIR, "bin", tool);
      const stamp = `${bin}.version`;
      if (existsSync(bin) && existsSync(stamp) && readFileSync(stamp, "utf8").trim() === version) return `${version} (cached)`;
      const go = spawnSync("go", ["version"], { encoding: "utf8" });
      if (go.status !== 0) throw new Error("Go is needed to build it and `go version` failed; install Go 1.22 or newer");
      console.log(`setup: building ${tool} ${version} from Go modules (first time only, under a minute)…`);
      const scratch = join(TOOLS_DIR, "build");
      rmSync(scratch, { recursive: true, force: true });
      mkdirSync(join(TOOLS_DIR, "bin"), { recursive: true });
      const started = Date.now();
      const build = spawnSync("go", ["install", `${module}@${version}`], {
        env: { ...process.env, GOBIN: scratch, GOFLAGS: "-mod=mod" },
        stdio: ["ignore", "inherit", "inherit"],
      });
      if (build.status !== 0) throw new Error(`go install ${module}@${version} failed (exit ${build.status}); see the output above`);
      renameSync(join(scratch, builds), bin);
      rmSync(scratch, { recursive: true, force: true });
      writeFileSync(stamp, `${version}\n`);
      return `${version} (built in ${((Date.now() - started) / 1000).toFixed(0)} s)`;
    },
  };
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
  goTool("toxiproxy-server"),
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
  console.error("setup: a required tool is not usable; fix the error above and re-run `npm run setup`.");
  process.exit(1);
}
