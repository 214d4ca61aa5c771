import { setTimeout as sleep } from "node:timers/promises";
import { within } from "../../../infra/within.ts";
import type { VaaKey } from "./relayer.ts";

/** How long a pushed VAA nobody asked for is kept (its message may be seen on the source a little later). */
const KEEP_MS = 60_000;

/**
 * A client of the VAA API's push feed (`/v1/signed_vaa/stream`, server-sent events): keeps
 * one connection open, reconnecting after a drop, and hands each VAA to whoever waits for
 * it. The feed does not replay, so what was signed while it was down must be asked for
 * (see take()).
 */
export class VaaStream {
  private readonly arrived = new Map<VaaKey, { bytes: Uint8Array; at: number }>();
  private readonly waiters = new Map<VaaKey, (bytes: Uint8Array) => void>();
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly url: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Resolves once the first connection is open (or fails after `timeoutMs`). */
  async start(timeoutMs = 5_000): Promise<void> {
    let connected!: () => void;
    const first = new Promise<void>((resolve) => (connected = resolve));
    this.loop = this.run(connected);
    const open = await within(
      first.then(() => true),
      timeoutMs,
    );
    if (!open) throw new Error(`VAA stream ${this.url}: no connection within ${timeoutMs} ms`);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  /** The VAA if the feed brought it, or once it does within `timeoutMs`; undefined otherwise. */
  take(key: VaaKey, timeoutMs: number): Promise<Uint8Array | undefined> {
    const arrived = this.arrived.get(key);
    if (arrived) {
      this.arrived.delete(key);
      return Promise.resolve(arrived.bytes);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.set(key, (bytes) => {
        clearTimeout(timer);
        this.waiters.delete(key);
        resolve(bytes);
      });
    });
  }

  private async run(connected: () => void): Promise<void> {
    let backoff = 100;
    while (!this.abort.signal.aborted) {
      try {
        const response = await fetch(this.url, { signal: this.abort.signal, headers: { accept: "text/event-stream" } });
        if (!response.ok || !response.body) throw new Error(`answered ${response.status}`);
        connected();
        backoff = 100;
        await this.read(response.body);
        if (!this.abort.signal.aborted) this.log("VAA stream closed by the server; reconnecting");
      } catch (err) {
        if (this.abort.signal.aborted) break;
        this.log(`VAA stream: ${(err as Error).message}; reconnecting in ${backoff} ms`);
      }
      await sleep(backoff, undefined, { signal: this.abort.signal }).catch(() => undefined);
      backoff = Math.min(backoff * 2, 1_000);
    }
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event.split("\n").find((line) => line.startsWith("data: "));
        if (data) this.deliver(JSON.parse(data.slice(6)) as { id: VaaKey; vaaBytes: string });
      }
    }
  }

  private deliver(event: { id: VaaKey; vaaBytes: string }): void {
    const bytes = new Uint8Array(Buffer.from(event.vaaBytes, "base64"));
    const waiter = this.waiters.get(event.id);
    if (waiter) return waiter(bytes);
    const at = Date.now();
    this.arrived.set(event.id, { bytes, at });
    // Insertion order is arrival order: drop from the front what nobody claimed in time.
    for (const [key, entry] of this.arrived) {
      if (at - entry.at < KEEP_MS) break;
      this.arrived.delete(key);
    }
  }
}
