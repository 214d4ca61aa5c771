import { connect } from "node:net";

/**
 * Hostile HTTP clients for the tests of the harness's servers (the VAA API, /metrics): raw bytes
 * over TCP, so a request can be malformed, oversized or sent slowly, which an HTTP client refuses to do.
 */

/** What came back on one connection: the status of the first answer (undefined: none), and whether the server closed it. */
export interface RawAnswer {
  status: number | undefined;
  /** The server ended the connection (on its own or after answering with `connection: close`). */
  closed: boolean;
  /** Milliseconds from connecting to the server closing the connection, or to giving up. */
  ms: number;
  text: string;
}

/**
 * Connects to `url`'s host and port, writes `chunks` (a number between them: a pause of that many
 * ms), and reads until the server closes the connection or `waitMs` passes after the last write.
 */
export function rawExchange(url: string, chunks: Array<string | Buffer | number>, waitMs = 2_000): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect({ host: hostname, port: Number(port) });
    const got: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    let pause: { timer: NodeJS.Timeout; resume: () => void } | undefined;
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (pause) {
        clearTimeout(pause.timer);
        pause.resume();
      }
      socket.destroy();
      const text = Buffer.concat(got).toString("latin1");
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      resolve({ status: status === undefined ? undefined : Number(status), closed, ms: performance.now() - started, text });
    };
    socket.on("data", (chunk) => got.push(chunk));
    socket.on("close", () => finish(true));
    socket.on("error", () => finish(true));
    socket.once("connect", async () => {
      for (const chunk of chunks) {
        if (done) return;
        if (typeof chunk === "number") {
          await new Promise<void>((resume) => {
            pause = { timer: setTimeout(resume, chunk), resume };
          });
          pause = undefined;
        } else socket.write(chunk);
      }
      if (!done) timer = setTimeout(() => finish(false), waitMs);
    });
  });
}

/** A request head: `GET <target> HTTP/1.1` with the given extra header lines, ending the connection after the answer. */
export const head = (target: string, extra: string[] = [], method = "GET"): string =>
  `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra.map((h) => `${h}\r\n`).join("")}Connection: close\r\n\r\n`;

/** A malformed or oversized request that must be answered 4xx (`status`: the one expected; `closes`: the server must end the connection). */
export interface HostileCase {
  name: string;
  chunks: Array<string | Buffer>;
  status: number;
}

/** Requests any GET-only endpoint of the harness must refuse, whatever its routes. */
export function hostileCases(): HostileCase[] {
  return [
    { name: "target that is not a path", chunks: [head("//[")], status: 400 },
    { name: "asterisk target", chunks: [head("*")], status: 400 },
    { name: "absolute-form target with a bad host", chunks: [head("http://[::1/x")], status: 400 },
    { name: "control bytes in the target", chunks: [`GET /a\x01b HTTP/1.1\r\nHost: x\r\n\r\n`], status: 400 },
    { name: "not HTTP at all", chunks: ["\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 hello\r\n\r\n"], status: 400 },
    { name: "a bare newline request", chunks: ["\r\n\r\nGARBAGE\r\n\r\n"], status: 400 },
    { name: "path of 20 KiB", chunks: [head(`/${"a".repeat(20 * 1024)}`)], status: 431 },
    { name: "a header of 20 KiB", chunks: [head("/", [`X-Big: ${"b".repeat(20 * 1024)}`])], status: 431 },
    // Node counts header names and values (not the ": " and line ends): 3,000 × ~9 bytes is over 16 KiB.
    {
      name: "3,000 small headers",
      chunks: [
        head(
          "/",
          Array.from({ length: 3_000 }, (_, i) => `X-H${i}: vv`),
        ),
      ],
      status: 431,
    },
    { name: "a 100 MB body announced", chunks: [head("/", ["Content-Length: 100000000"], "POST"), Buffer.alloc(64 * 1024, 1)], status: 413 },
    { name: "a chunked body on a GET", chunks: [head("/", ["Transfer-Encoding: chunked"]), "5\r\nhello\r\n"], status: 413 },
    { name: "a bad Content-Length", chunks: [head("/", ["Content-Length: -1"])], status: 400 },
    { name: "DELETE", chunks: [head("/", [], "DELETE")], status: 405 },
    { name: "a made-up method", chunks: [head("/", [], "BREW")], status: 400 },
  ];
}

/** Opens `count` connections at once, each sending `chunks`; resolves with every answer. */
export function manyAtOnce(url: string, count: number, chunks: Array<string | Buffer | number>, waitMs = 5_000): Promise<RawAnswer[]> {
  return Promise.all(Array.from({ length: count }, () => rawExchange(url, chunks, waitMs)));
}

/** An open connection that sent `request`: what it has received so far, and a way to wait for more. */
export interface OpenConnection {
  received(): string;
  /** Resolves once the text received matches `pattern` (rejects after `ms`). */
  until(pattern: RegExp, ms?: number): Promise<string>;
  close(): void;
  /** Stops reading (what the server sends waits in its buffers) and starts again. */
  pause(): void;
  resume(): void;
  closed: Promise<void>;
}

/** Connects, sends `request` and keeps the connection open (a stream client, a client that never reads on). */
export function openConnection(url: string, request: string): Promise<OpenConnection> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let text = "";
    const waiters = new Set<() => void>();
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      text += chunk;
      for (const w of waiters) w();
    });
    const closed = new Promise<void>((done) => socket.once("close", () => done()));
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.write(request);
      resolve({
        received: () => text,
        until: (pattern, ms = 2_000) =>
          new Promise((found, fail) => {
            const check = () => {
              if (!pattern.test(text)) return;
              waiters.delete(check);
              clearTimeout(timer);
              found(text);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`not received within ${ms} ms: ${pattern}; got ${JSON.stringify(text.slice(0, 300))}`));
            }, ms);
            waiters.add(check);
            check();
          }),
        close: () => socket.destroy(),
        pause: () => socket.pause(),
        resume: () => socket.resume(),
        closed,
      });
    });
  });
}

/** A GET over its own connection (closed after the answer): the status and the body. */
export async function plainGet(url: string): Promise<{ status: number | undefined; body: string }> {
  const { pathname, search } = new URL(url);
  const answer = await rawExchange(url, [head(`${pathname}${search}`)]);
  const split = answer.text.indexOf("\r\n\r\n");
  let body = answer.text.slice(split + 4);
  if (/^transfer-encoding: chunked\r$/im.test(answer.text.slice(0, split + 2))) {
    // Chunked: <hex size>\r\n<data>\r\n … 0\r\n\r\n
    let rest = body;
    body = "";
    for (let size = parseInt(rest, 16); size > 0; size = parseInt(rest, 16)) {
      const start = rest.indexOf("\r\n") + 2;
      body += rest.slice(start, start + size);
      rest = rest.slice(start + size + 2);
    }
  }
  return { status: answer.status, body: Buffer.from(body, "latin1").toString("utf8") };
}
