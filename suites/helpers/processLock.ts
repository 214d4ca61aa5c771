// A lock held by a process until it exits: a listening Unix socket in Linux's abstract
// namespace. The kernel frees the name when the holder's process exits, however it exits; a
// waiter stays connected to the holder and tries again when that connection closes: no
// polling, no lock file to go stale. No AVA import: a plain process can hold it (its test does).
import { createConnection, createServer } from "node:net";

/** Takes the lock `name` (an abstract socket name, without its leading NUL) for the rest of this process's life. */
export async function holdUntilExit(name: string): Promise<void> {
  const address = `\0${name}`;
  for (;;) {
    // Connections from waiters are kept open, unreferenced: they close when this process exits.
    const server = createServer((socket) => socket.on("error", () => undefined).unref());
    const listening = await new Promise<boolean>((resolve, reject) => {
      server.once("error", (error: NodeJS.ErrnoException) => (error.code === "EADDRINUSE" ? resolve(false) : reject(error)));
      server.listen(address, () => resolve(true));
    });
    if (listening) {
      server.unref();
      return;
    }
    // Held: wait for the holder's process to end (a refused connection means it just did).
    await new Promise<void>((resolve) => {
      const socket = createConnection(address);
      socket.on("error", () => undefined);
      socket.on("close", () => resolve());
    });
  }
}
