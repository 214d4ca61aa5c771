import test from "ava";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBuilt } from "./tools.ts";

// Two first runs on one machine must not both build a tool into the same folder: the setup step
// takes a lock per tool, and the second waits for the first. Built here with a fake, quick build
// into a temporary tools folder (never the real .cache/tools).

const toolsModule = fileURLToPath(new URL("./tools.ts", import.meta.url));

/** A setup process building "fake" into `dir`: its build writes the binary once `go-on` exists (so the test decides when it ends). */
function setup(dir: string, script: string) {
  const child = spawn(process.execPath, ["--import", "tsx", script, dir], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const said = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => (pattern.test(output) ? resolve() : undefined);
      child.stdout.on("data", check);
      child.once("exit", () => (pattern.test(output) ? resolve() : reject(new Error(`exited without saying ${pattern}:\n${output}`))));
      check();
    });
  return { child, said, output: () => output, exited: once(child, "exit") };
}

test("two setups building one tool at once: one builds, the other waits for it, saying so, then finds it built", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "bridge-stress-tools-"));
  const script = join(dir, "setup.mjs");
  writeFileSync(
    script,
    [
      'import { appendFileSync, existsSync, writeFileSync } from "node:fs";',
      'import { join } from "node:path";',
      'import { setTimeout as sleep } from "node:timers/promises";',
      `import { ensureBuilt } from ${JSON.stringify(toolsModule)};`,
      "const dir = process.argv[2];",
      'const status = await ensureBuilt("fake", "v1 stamp", dir, {',
      '  about: "v1, fake", version: "v1", pollMs: 50, log: (line) => console.log(line),',
      "  build: async (scratch) => {",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text of the child script
      '    appendFileSync(join(dir, "builds.log"), `${process.pid} ${scratch}\\n`);',
      '    console.log("fake build under way");',
      '    while (!existsSync(join(dir, "go-on"))) await sleep(50);',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text of the child script
      '    writeFileSync(join(scratch, "fake"), `built by ${process.pid}`);',
      "  },",
      "});",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text of the child script
      "console.log(`status: ${status}`);",
    ].join("\n"),
  );
  const first = setup(dir, script);
  t.teardown(() => first.child.kill("SIGKILL"));
  await first.said(/fake build under way/);
  const second = setup(dir, script);
  t.teardown(() => second.child.kill("SIGKILL"));
  await second.said(/setup: fake: another setup \(pid \d+\) is building it into .*; waiting for it/);
  writeFileSync(join(dir, "go-on"), "");
  const [[firstCode], [secondCode]] = await Promise.all([first.exited, second.exited]);
  t.is(firstCode, 0, first.output());
  t.is(secondCode, 0, second.output());
  t.regex(first.output(), /status: v1 \(built in \d+ s\)/);
  t.regex(second.output(), /status: v1 \(built by another setup\)/);
  t.is(readFileSync(join(dir, "builds.log"), "utf8").trim().split("\n").length, 1);
  t.is(readFileSync(join(dir, "bin", "fake"), "utf8"), `built by ${first.child.pid}`);
  t.is(readFileSync(join(dir, "bin", "fake.version"), "utf8"), "v1 stamp\n");
  t.false(existsSync(join(dir, "build", "fake.lock")));
});

test("a lock left by a setup that was killed mid-build is taken over", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "bridge-stress-tools-"));
  // A process that has exited: its pid names nobody running now.
  const gone = spawn(process.execPath, ["-e", ""]);
  await once(gone, "exit");
  mkdirSync(join(dir, "build", "fake.lock"), { recursive: true });
  writeFileSync(join(dir, "build", "fake.lock", "owner"), `${gone.pid} 12345\n`);
  const lines: string[] = [];
  const status = await ensureBuilt("fake", "v1 stamp", dir, {
    about: "v1, fake",
    version: "v1",
    pollMs: 50,
    log: (line) => lines.push(line),
    build: async (scratch) => writeFileSync(join(scratch, "fake"), "built"),
  });
  t.regex(status, /^v1 \(built in \d+ s\)$/);
  t.regex(lines.join("\n"), new RegExp(`removing a stale build lock \\(its owner, pid ${gone.pid}, is no longer running\\)`));
  t.is(readFileSync(join(dir, "bin", "fake"), "utf8"), "built");
  t.false(existsSync(join(dir, "build", "fake.lock")));
});
