// Loaded into every AVA worker (ava.config.js `require`). When a file's tests are done, a
// handle left open (a socket, a timer) would keep its process alive until AVA's timeout
// fails the whole run. Name what is still open, so it can be fixed, then exit.
import { registerCompletionHandler } from "ava";

registerCompletionHandler(() => {
  const open = process.getActiveResourcesInfo().filter((r) => !["TTYWrap", "PipeWrap", "FSReqCallback"].includes(r));
  if (open.length) console.error(`[exit-when-done] a test file left open: ${open.join(", ")}`);
  process.exit();
});

// AVA's own process gone (SIGTERM to `npm test` from a cancelled CI job, which npm passes on
// to AVA): its test files are not told and would run on, chains and all. The IPC channel to
// it closes then; stop as on SIGTERM (partial report, every chain process stopped).
process.once("disconnect", () => process.kill(process.pid, "SIGTERM"));
