import { createServer, type Socket } from "node:net";
import test from "ava";
import { httpRequest } from "./http.ts";

test("a server that takes the request and never answers fails it after the idle time-out, naming the call", async (t) => {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const { port } = server.address() as { port: number };
  const started = performance.now();
  await t.throwsAsync(httpRequest(`http://127.0.0.1:${port}/`, "eth_blockNumber", { method: "POST", body: "{}", idleTimeoutMs: 200 }), {
    message: "eth_blockNumber: no answer for 0.2 s",
  });
  t.true(performance.now() - started >= 190);
});
