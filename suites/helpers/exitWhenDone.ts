// Loaded into every AVA worker (ava.config.js `require`). When a file's tests are done, a
// handle left open (a socket, a timer) would keep its process alive until AVA's timeout
// fails the whole run. Name what is still open, so it can be fixed, then exit.
import { registerCompletionHandler } from "ava";

registerCompletionHandler(() => {
  const open = process.getActiveResourcesInfo().filter((r) => !["TTYWrap", "PipeWrap", "FSReqCallback"].includes(r));
  if (open.length) console.error(`[exit-when-done] a test file left open: ${open.join(", ")}`);
  process.exit();
});
