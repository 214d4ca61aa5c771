import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { isAlive } from "../src/infra/instance.ts";
import { procStat } from "../src/infra/tether.ts";
import { BridgeStressError } from "../src/infra/errors.ts";

/** Where the setup step puts the tools it builds (cached outside git). */
export const TOOLS_DIR = fileURLToPath(new URL("../.cache/tools/", import.meta.url));
const ROOT = fileURLToPath(new URL("../", import.meta.url));

/**
 * Tools built from Go modules, pinned. `install` tools have no replace lines and are
 * `go install`ed by version. Cosmos SDK apps do have replace lines, so `go install` refuses
 * them: they are built from a wrapper module of this project's own (`dir`, with go.mod and
 * go.sum committed) that requires the app and copies its replaces; the cache is keyed by
 * the wrapper's go.mod and go.sum.
 */
export const GO_TOOLS = {
  "toxiproxy-server": { kind: "install", module: "github.com/Shopify/toxiproxy/v2/cmd/server", version: "v2.12.0", builds: "server", about: "about a minute" },
  simd: {
    kind: "wrapper",
    dir: "chains/cosmos/simd",
    pkg: "github.com/cosmos/ibc-go/v8/testing/simapp/simd",
    version: "ibc-go v8.8.0 (Cosmos SDK 0.50, CometBFT 0.38)",
    about: "3–10 minutes on 2 cores",
  },
  rly: { kind: "wrapper", dir: "chains/cosmos/rly", pkg: "github.com/cosmos/relayer/v2", version: "relayer v2.6.0", about: "3–10 minutes on 2 cores" },
} as const;

export type GoTool = keyof typeof GO_TOOLS;

/** Debian's Chromium (package chromium), which the setup step installs for the report's browser test. */
export const CHROMIUM = "/usr/bin/chromium";

/** Tools the Cosmos and IBC paths need. */
export const COSMOS_TOOLS: GoTool[] = ["simd", "rly"];

/** A tool a run needs (anvil, simd, rly, toxiproxy, Go to build them) that is missing or cannot be built. */
export class ToolMissingError extends BridgeStressError {
  static override readonly code = "tool-missing";
  static override readonly docs = "README.md#bridge-stress";
}

/** Path of a built tool; throws with the command that builds it when it is missing. */
export function toolPath(tool: GoTool): string {
  const path = join(TOOLS_DIR, "bin", tool);
  if (!existsSync(path)) throw new ToolMissingError(`${tool} is not built yet: run "npm run setup" (npm test and npm run stress run it for you)`);
  return path;
}

/** What a built tool must have been built from: its version, and for wrappers the hash of go.mod and go.sum. */
function stampOf(tool: GoTool): string {
  const spec = GO_TOOLS[tool];
  if (spec.kind === "install") return spec.version;
  const hash = createHash("sha256");
  for (const file of ["go.mod", "go.sum"]) hash.update(readFileSync(join(ROOT, spec.dir, file)));
  return `${spec.version} ${hash.digest("hex").slice(0, 16)}`;
}

/** The version a built tool was built as (for the manifest), or undefined when it is not built. */
export function builtVersion(tool: GoTool): string | undefined {
  const stamp = join(TOOLS_DIR, "bin", `${tool}.version`);
  return existsSync(stamp) ? readFileSync(stamp, "utf8").trim() : undefined;
}

/**
 * Builds a tool unless the cached one was built from the same pins. Prints what it does and,
 * while a build runs, a progress line every 15 s (packages compiled so far). Returns a
 * one-line status.
 */
export async function ensureGoTool(tool: GoTool, log: (line: string) => void = console.log): Promise<string> {
  const spec = GO_TOOLS[tool];
  return ensureBuilt(tool, stampOf(tool), TOOLS_DIR, {
    log,
    about: `${spec.version} from Go modules — first time only, ${spec.about}`,
    version: spec.version,
    build: async (scratch, started) => {
      const go = spawnSync("go", ["version"], { encoding: "utf8" });
      if (go.status !== 0) throw new ToolMissingError("Go is needed to build it and `go version` failed; install Go 1.22 or newer");
      if (spec.kind === "install") {
        await goCommand(tool, ["install", `${spec.module}@${spec.version}`], { cwd: ROOT, env: { GOBIN: scratch, GOFLAGS: "-mod=mod" } }, log, started);
        renameSync(join(scratch, spec.builds), join(scratch, tool));
      } else {
        const cwd = join(ROOT, spec.dir);
        log(`setup: ${tool}: downloading modules…`);
        await goCommand(tool, ["mod", "download"], { cwd, env: {} }, log, started);
        await goCommand(tool, ["build", "-v", "-o", join(scratch, tool), spec.pkg], { cwd, env: {} }, log, started);
      }
    },
  });
}

export interface BuildSteps {
  /** Builds the tool as `<scratch>/<name>`. */
  build: (scratch: string, started: number) => Promise<void>;
  log: (line: string) => void;
  /** What is built, for the log ("v1.2 from Go modules — first time only, 3 minutes"). */
  about: string;
  /** The version named in the status line. */
  version: string;
  /** How often a waiting setup looks at the lock, ms. [1000] */
  pollMs?: number;
}

/**
 * `<toolsDir>/bin/<name>` built from `stamp` (kept when its `.version` file says the same stamp).
 * One build at a time per tool, across processes: the builder holds `<toolsDir>/build/<name>.lock`
 * (a folder: mkdir is atomic) naming its pid; a second setup (two first runs, or npm test beside
 * npm run stress) waits for it, saying so, then finds the tool built. A lock whose owner is no
 * longer running (killed mid-build) is stale and taken over.
 */
export async function ensureBuilt(name: string, stamp: string, toolsDir: string, steps: BuildSteps): Promise<string> {
  const bin = join(toolsDir, "bin", name);
  const stampPath = `${bin}.version`;
  const cached = () => existsSync(bin) && existsSync(stampPath) && readFileSync(stampPath, "utf8").trim() === stamp;
  if (cached()) return `${steps.version} (cached)`;
  mkdirSync(join(toolsDir, "bin"), { recursive: true });
  mkdirSync(join(toolsDir, "build"), { recursive: true });
  const unlock = await lockBuild(join(toolsDir, "build", `${name}.lock`), name, steps);
  try {
    // Whoever held the lock may have built it meanwhile.
    if (cached()) return `${steps.version} (built by another setup)`;
    steps.log(`setup: building ${name} (${steps.about})…`);
    const scratch = join(toolsDir, "build", name);
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch, { recursive: true });
    const started = Date.now();
    await steps.build(scratch, started);
    renameSync(join(scratch, name), bin);
    rmSync(scratch, { recursive: true, force: true });
    writeFileSync(stampPath, `${stamp}\n`);
    return `${steps.version} (built in ${((Date.now() - started) / 1000).toFixed(0)} s)`;
  } finally {
    unlock();
  }
}

/** A process as a lock owner: its pid and start time (so a reused pid is not taken for it); just the pid off Linux; undefined once it is gone. */
function ownerId(pid: number): string | undefined {
  const stat = procStat(pid);
  if (stat) return `${pid} ${stat.start}`;
  return isAlive(pid) ? `${pid}` : undefined;
}

/** Takes the build lock, waiting while another live process holds it; returns the function that frees it. */
async function lockBuild(lock: string, name: string, steps: BuildSteps): Promise<() => void> {
  const me = ownerId(process.pid) ?? `${process.pid}`;
  const ownerFile = join(lock, "owner");
  let waitingSince: number | undefined;
  let lastSaid = 0;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(ownerFile, `${me}\n`);
      if (waitingSince !== undefined) steps.log(`setup: ${name}: the other build is over; going on`);
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    let owner: string | undefined;
    try {
      owner = readFileSync(ownerFile, "utf8").trim();
    } catch {
      // Just made, its owner not written yet; or left so by a process killed in between; or just freed.
      const made = statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
      if (made === undefined) continue;
      if (Date.now() - made > 10_000) owner = "";
    }
    if (owner !== undefined) {
      const pid = Number(owner.split(" ")[0]);
      const alive = Number.isInteger(pid) && pid > 0 && ownerId(pid) !== undefined && (owner.includes(" ") ? ownerId(pid) === owner : true);
      if (!alive) {
        steps.log(`setup: ${name}: removing a stale build lock (${owner ? `its owner, pid ${pid}, is no longer running` : "no owner written"}): ${lock}`);
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      const now = Date.now();
      waitingSince ??= now;
      if (now - lastSaid >= 15_000) {
        lastSaid = now;
        const waited = ((now - waitingSince) / 1000).toFixed(0);
        steps.log(`setup: ${name}: another setup (pid ${pid}) is building it into ${dirname(lock)}; waiting for it (${waited} s so far)…`);
      }
    }
    await sleep(steps.pollMs ?? 1000);
  }
}

/** Runs a go command; `-v` package lines are counted for progress, anything else is kept for the error. */
function goCommand(
  tool: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
  log: (line: string) => void,
  started: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("go", args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
    let packages = 0;
    const other: string[] = [];
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) {
        if (!line.trim()) continue;
        // `go build -v` names each package as it compiles it.
        if (/^[\w.-]+(\.[\w-]+)*(\/[\w.~-]+)*$/.test(line.trim())) packages++;
        else other.push(line);
      }
      if (other.length > 200) other.splice(0, other.length - 200);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const ticker = setInterval(() => {
      const elapsed = ((Date.now() - started) / 1000).toFixed(0);
      log(`setup: ${tool}: go ${args[0]} running, ${elapsed} s${packages ? `, ${packages} packages compiled` : ""}…`);
    }, 15_000);
    child.once("error", (err) => {
      clearInterval(ticker);
      reject(new ToolMissingError(`could not run go: ${err.message}`));
    });
    child.once("exit", (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new ToolMissingError(`go ${args.join(" ")} failed (exit ${code}):\n${other.slice(-30).join("\n")}`));
    });
  });
}
