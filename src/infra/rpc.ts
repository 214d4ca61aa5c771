import { httpRequest } from "./http.ts";

let rpcId = 0;

type RpcAnswer = { id?: number; result?: unknown; error?: { message: string } };
interface QueuedCall {
  id: number;
  method: string;
  params: unknown[];
  resolve: (result: unknown) => void;
  reject: (err: Error) => void;
}

/** Calls made this turn of the event loop, by endpoint, sent together when the turn ends. */
const queues = new Map<string, QueuedCall[]>();
/** The most calls one HTTP request carries. */
const MAX_BATCH = 100;

/**
 * One JSON-RPC call over HTTP (kept-alive node:http, see httpRequest); throws with the method
 * name on an RPC error. Calls to one endpoint made in the same turn of the event loop go as
 * one JSON-RPC batch when the turn ends (setImmediate), so no call waits for a later one: a
 * relayer submitting the VAAs of one source block, or a load generator catching up, pays one
 * HTTP round trip instead of one each. A lone call goes as a plain request.
 */
export function rpc<T>(url: string, method: string, params: unknown[]): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let queue = queues.get(url);
    if (!queue) {
      queues.set(url, (queue = []));
      setImmediate(() => {
        queues.delete(url);
        for (let i = 0; i < queue!.length; i += MAX_BATCH) void sendCalls(url, queue!.slice(i, i + MAX_BATCH));
      });
    }
    queue.push({ id: ++rpcId, method, params, resolve: resolve as (result: unknown) => void, reject });
  });
}

function settle(call: QueuedCall, answer: RpcAnswer | undefined): void {
  if (!answer) call.reject(new Error(`${call.method}: no answer in the JSON-RPC batch`));
  else if (answer.error) call.reject(new Error(`${call.method}: ${answer.error.message}`));
  else call.resolve(answer.result);
}

async function sendCalls(url: string, calls: QueuedCall[]): Promise<void> {
  const single = calls.length === 1;
  const what = single ? calls[0]!.method : `JSON-RPC batch of ${calls.length} (${[...new Set(calls.map((c) => c.method))].join(", ")})`;
  const payload = calls.map(({ id, method, params }) => ({ jsonrpc: "2.0", id, method, params }));
  let parsed: RpcAnswer | RpcAnswer[];
  try {
    const { status, body } = await httpRequest(url, what, { method: "POST", body: JSON.stringify(single ? payload[0] : payload) });
    try {
      parsed = JSON.parse(body.toString("utf8")) as RpcAnswer | RpcAnswer[];
    } catch {
      throw new Error(`${what}: HTTP ${status}, not JSON-RPC: ${body.toString("utf8", 0, 200)}`);
    }
  } catch (err) {
    for (const call of calls) call.reject(err as Error);
    return;
  }
  if (single) return settle(calls[0]!, Array.isArray(parsed) ? parsed[0] : parsed);
  if (!Array.isArray(parsed)) {
    // An endpoint without batch support (some remote fork URLs): each call on its own.
    for (const call of calls) void sendCalls(url, [call]);
    return;
  }
  const byId = new Map(parsed.map((answer) => [answer.id, answer]));
  for (const call of calls) settle(call, byId.get(call.id));
}
