import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/**
 * Limits of the harness's own HTTP servers (the VAA API, /metrics), which take only GETs without a body:
 * - `maxHeaderBytes`: the request's header names and values together (Node counts those); more is answered 431 by Node.
 * - `headersTimeoutMs`: a client must have sent its whole request head this long after it
 *   connected (or after its previous request); a slow one (slowloris) is answered 408 and closed.
 * - `requestTimeoutMs`: the same for the whole request.
 * - `keepAliveTimeoutMs`: an idle kept-alive connection is closed after this long.
 * - `maxConnections`: connections open at once; more are closed at once by Node.
 * - `checkIntervalMs`: how often Node looks for connections past their time-outs (its default, 30 s,
 *   would let a slow client hold a connection that much longer than `headersTimeoutMs`).
 */
export interface ServerLimits {
  maxHeaderBytes: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  checkIntervalMs: number;
}

export const SERVER_LIMITS: ServerLimits = {
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 60_000,
  maxConnections: 4_096,
  checkIntervalMs: 1_000,
};

/** Answers a request with a JSON or text body; a `close` answer also ends the connection. */
export function answer(res: ServerResponse, status: number, body: unknown, close = false): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const headers: Record<string, string | number> = {
    "content-type": typeof body === "string" ? "text/plain" : "application/json",
    "content-length": Buffer.byteLength(text),
  };
  if (close) headers.connection = "close";
  res.writeHead(status, headers);
  res.end(text);
}

/** The request's path, or undefined when its target is not a URL path (e.g. `//[`, `*`). */
export function requestPath(req: IncomingMessage): URL | undefined {
  const target = req.url ?? "";
  if (!target.startsWith("/") || target.startsWith("//")) return undefined;
  try {
    return new URL(target, "http://127.0.0.1");
  } catch {
    return undefined;
  }
}

/**
 * An HTTP server for GET-only endpoints that stays up under hostile clients: the limits above;
 * a request with a body is answered 413 and its connection closed without reading the body;
 * a method other than GET (or HEAD) 405; a target that is not a path 400; and a handler that throws
 * answers 500 instead of taking the process down. `name` is in those answers.
 */
export function getOnlyServer(name: string, handle: (req: IncomingMessage, res: ServerResponse, url: URL) => void, limits: Partial<ServerLimits> = {}): Server {
  const l = { ...SERVER_LIMITS, ...limits };
  const server = createServer(
    {
      maxHeaderSize: l.maxHeaderBytes,
      headersTimeout: l.headersTimeoutMs,
      requestTimeout: l.requestTimeoutMs,
      keepAliveTimeout: l.keepAliveTimeoutMs,
      connectionsCheckingInterval: l.checkIntervalMs,
    },
    (req, res) => {
      const length = Number(req.headers["content-length"] ?? 0);
      if (req.headers["transfer-encoding"] !== undefined || !(length === 0)) {
        return answer(res, 413, { message: `${name}: a request body is not accepted; send a GET without one` }, true);
      }
      if (req.method !== "GET" && req.method !== "HEAD") return answer(res, 405, { message: `${name}: ${req.method} is not supported; use GET` });
      const url = requestPath(req);
      if (!url) return answer(res, 400, { message: `${name}: the request target is not a path` });
      try {
        handle(req, res, url);
      } catch (err) {
        if (!res.headersSent) answer(res, 500, { message: `${name}: ${(err as Error).message}` }, true);
        else res.destroy();
      }
    },
  );
  server.maxConnections = l.maxConnections;
  return server;
}
