import { DEV_ACCOUNTS } from "./devAccounts.ts";
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { httpRequest } from "../src/infra/http.ts";
import { ProcessInstance, InstanceError } from "../src/infra/instance.ts";

/** Options of one anvil process. Every field is optional; defaults in brackets. */
export interface AnvilOptions {
  /** Instance name in logs and errors. ["anvil"] */
  name?: string;
  /** EIP-155 chain id. [31337] */
  chainId?: number;
  /** Interval mining period in ms; sub-second works. Instant mining stalls under load, so it is not offered. [250] */
  blockTimeMs?: number;
  /** Block gas limit. [30_000_000] */
  gasLimit?: bigint;
  /** Number of funded dev accounts from the test mnemonic. [DEV_ACCOUNTS] */
  accounts?: number;
  /** Balance of every dev account, in ether. [1_000_000] */
  balanceEth?: number;
  /** Slots per epoch: `safe` = latest − slots, `finalized` = latest − 2·slots. [4] */
  slotsInAnEpoch?: number;
  /** Fork from this RPC URL instead of starting an empty chain. */
  forkUrl?: string;
  /** Block to fork at (with forkUrl). [latest] */
  forkBlockNumber?: bigint;
}

const PLATFORM: Record<string, string> = {
  "linux-x64": "linux-amd64",
  "linux-arm64": "linux-arm64",
  "darwin-x64": "darwin-amd64",
  "darwin-arm64": "darwin-arm64",
};

/** Path of the anvil binary shipped by the `@foundry-rs/anvil` platform package (or $ANVIL_BIN). */
export function anvilBinary(): string {
  if (process.env.ANVIL_BIN) return process.env.ANVIL_BIN;
  const platform = PLATFORM[`${process.platform}-${process.arch}`];
  if (!platform) throw new Error(`anvil: no @foundry-rs/anvil build for ${process.platform}-${process.arch}; set ANVIL_BIN to an anvil binary`);
  const require = createRequire(import.meta.url);
  const bin = require.resolve(`@foundry-rs/anvil-${platform}/bin/anvil`);
  if (!existsSync(bin)) throw new Error(`anvil: ${bin} is missing; run npm install`);
  return bin;
}

export function anvilArgs(options: AnvilOptions): string[] {
  const {
    chainId = 31337,
    blockTimeMs = 250,
    gasLimit = 30_000_000n,
    accounts = DEV_ACCOUNTS,
    balanceEth = 1_000_000,
    slotsInAnEpoch = 4,
  } = options;
  const args = [
    "--host", "127.0.0.1",
    "--port", "0",
    "--chain-id", String(chainId),
    "--block-time", String(blockTimeMs / 1000),
    "--gas-limit", String(gasLimit),
    "--accounts", String(accounts),
    "--balance", String(balanceEth),
    "--slots-in-an-epoch", String(slotsInAnEpoch),
    "--disable-code-size-limit",
  ];
  if (options.forkUrl) {
    args.push("--fork-url", options.forkUrl);
    if (options.forkBlockNumber !== undefined) args.push("--fork-block-number", String(options.forkBlockNumber));
  }
  return args;
}

/** One anvil process on 127.0.0.1 with a port chosen by the OS. */
export class Anvil extends ProcessInstance {
  /** HTTP JSON-RPC URL, once started. */
  rpcUrl = "";

  constructor(readonly anvilOptions: AnvilOptions = {}) {
    super({
      name: anvilOptions.name ?? "anvil",
      command: anvilBinary(),
      args: anvilArgs(anvilOptions),
      // A fork's first block needs the remote RPC; give it longer.
      startTimeoutMs: anvilOptions.forkUrl ? 60_000 : 15_000,
      readyWhen: (line) => {
        const listening = /Listening on 127\.0\.0\.1:(\d+)/.exec(line);
        if (!listening) return false;
        this.rpcUrl = `http://127.0.0.1:${listening[1]}`;
        return true;
      },
    });
  }

  override async start(): Promise<void> {
    await super.start();
    // "Listening on" is printed as the socket binds; prove it answers too.
    const chainId = await rpc<string>(this.rpcUrl, "eth_chainId", []);
    if (this.anvilOptions.chainId && !this.anvilOptions.forkUrl && BigInt(chainId) !== BigInt(this.anvilOptions.chainId)) {
      throw new InstanceError(this.name, `answers chain id ${BigInt(chainId)}, expected ${this.anvilOptions.chainId}`);
    }
  }
}

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
 * HTTP round trip instead of one each. HTTP was ~20 % of the harness's main thread at
 * 350 msgs/s before this. A lone call goes as a plain request.
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
