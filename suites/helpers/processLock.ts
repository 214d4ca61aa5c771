// Locks held by a process until it exits: listening Unix sockets in Linux's abstract namespace.
// The kernel frees a name when its holder's process exits, however it exits; a waiter stays
// connected to the holders and tries again when one of those connections closes: no polling,
// no lock file to go stale. No AVA import: a plain process can hold one (its test does).
import { createConnection, createServer, type Server } from "node:net";

/** Takes the lock `name` (an abstract socket name, without its leading NUL) for the rest of this process's life. */
export async function holdUntilExit(name: string): Promise<void> {
  await holdOneOf([name]);
}

/** Takes whichever of the locks `names` is free first, for the rest of this process's life, and returns its name. */
export async function holdOneOf(names: string[]): Promise<string> {
  for (;;) {
    for (const name of names) if (await listen(name)) return name;
    // All held: wait for one holder's process to end (a refused connection means it just did).
    await new Promise<void>((resolve) => {
      const sockets = names.map((name) => {
        const socket = createConnection(`\0${name}`);
        socket.on("error", () => undefined);
        socket.on("close", () => {
          for (const other of sockets) other.destroy();
          resolve();
        });
        return socket;
      });
    });
  }
}

/** Listens on `name`, unreferenced: true when this process now holds it, false when another does. */
async function listen(name: string): Promise<boolean> {
  // Connections from waiters are kept open, unreferenced: they close when this process exits.
  const server: Server = createServer((socket) => socket.on("error", () => undefined).unref());
  const listening = await new Promise<boolean>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => (error.code === "EADDRINUSE" ? resolve(false) : reject(error)));
    server.listen(`\0${name}`, () => resolve(true));
  });
  if (listening) server.unref();
  return listening;
}
