import http from "node:http";
import https from "node:https";

/** Kept-alive connections for every HTTP call of this process (JSON-RPC, the VAA API). */
const agents = { "http:": new http.Agent({ keepAlive: true, maxSockets: 256 }), "https:": new https.Agent({ keepAlive: true, maxSockets: 256 }) };

/**
 * How long a request waits with no byte from the server before it fails, ms (viem's http
 * transport uses the same). A server that never answers (an RPC link under an `rpc-timeout`
 * fault) would otherwise hold its caller, a chain's poller, past the fault's heal for good.
 */
export const HTTP_IDLE_TIMEOUT_MS = 10_000;

export interface HttpAnswer {
  status: number;
  body: Buffer;
}

/**
 * One HTTP request over plain node:http with kept-alive connections, not fetch: the harness
 * makes hundreds to thousands of calls a second (watchers poll their chain heads, the relayer
 * asks the VAA API), and fetch costs far more main-thread time a call. `what`
 * names the call in errors. A kept-alive connection the server closed meanwhile fails at once,
 * before the request reached it: such a request is sent again once on a fresh connection (as
 * Node's docs advise).
 */
export function httpRequest(url: string, what: string, options: RequestOptions = {}): Promise<HttpAnswer> {
  return send(url, what, options, true);
}

interface RequestOptions {
  method?: "GET" | "POST";
  body?: string;
  contentType?: string;
  /** [HTTP_IDLE_TIMEOUT_MS] */
  idleTimeoutMs?: number;
}

function send(url: string, what: string, options: RequestOptions, mayRetry: boolean): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === "https:" ? https : http;
    const agent = agents[target.protocol as keyof typeof agents];
    if (!agent) return reject(new Error(`${what}: unsupported URL scheme ${target.protocol}`));
    const headers: Record<string, string | number> = {};
    if (options.body !== undefined) {
      headers["content-type"] = options.contentType ?? "application/json";
      headers["content-length"] = Buffer.byteLength(options.body);
    }
    const request = client.request(target, { method: options.method ?? "GET", agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", (err) => reject(new Error(`${what}: ${err.message}`)));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) }));
    });
    const idleMs = options.idleTimeoutMs ?? HTTP_IDLE_TIMEOUT_MS;
    request.setTimeout(idleMs, () => request.destroy(new Error(`no answer for ${idleMs / 1000} s`)));
    request.on("error", (err: NodeJS.ErrnoException) => {
      if (mayRetry && request.reusedSocket && err.code === "ECONNRESET") return resolve(send(url, what, options, false));
      reject(new Error(`${what}: ${err.message}`));
    });
    request.end(options.body);
  });
}
