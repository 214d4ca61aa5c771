import { createServer } from "node:net";

/** A port on 127.0.0.1 the OS says is free now (for tools that cannot take port 0). */
export async function freePort(): Promise<number> {
  const { ports, release } = await reservePorts(1);
  await release();
  return ports[0]!;
}

/**
 * Ports on 127.0.0.1 held open until `release()`: while held, nothing else (a fault proxy
 * listening on port 0, another localnet) can be given them. Release right before the
 * processes that use them start.
 */
export async function reservePorts(count: number): Promise<{ ports: number[]; release: () => Promise<void> }> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  return {
    ports: servers.map((s) => (s.address() as { port: number }).port),
    release: () => Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))).then(() => undefined),
  };
}
