import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Hex } from "viem";
import { LogRing } from "../../../infra/instance.ts";
import { Lifecycle, LifecycleInstance } from "../../../infra/lifecycle.ts";
import { answer, getOnlyServer, type ServerLimits } from "../../../infra/httpServer.ts";
import type { GuardianNetwork } from "./guardianNetwork.ts";
import type { SignedVaa } from "./vaaStore.ts";
import { vaaKey } from "../vaa.ts";

/**
 * Serves the guardian network's VAAs over HTTP on 127.0.0.1 at the paths the Wormhole
 * SDK's API client uses:
 * - `GET /v1/signed_vaa/{chain}/{emitter}/{sequence}` → `{ "vaaBytes": base64 }` (guardian/Wormholescan)
 * - `GET /api/v1/vaas?txHash=0x…` → `{ "data": [{ "vaa": base64, … }] }` (Wormholescan)
 * A VAA without quorum yet answers 404, which the SDK reads as "not available yet".
 * - `GET /v1/signed_vaa/stream` → server-sent events, one per VAA as it reaches quorum:
 *   `id: {chain}/{emitter}/{sequence}` and `data: { "id", "vaaBytes": base64 }` (a push
 *   feed like a spy's subscription; it does not replay what was signed before it opened).
 * Anything else answers 4xx and the server stays up (src/infra/httpServer.ts: its limits on
 * header size, slow and idle clients, connections, bodies and methods; `limits` overrides them).
 */
export class VaaApi extends LifecycleInstance {
  readonly name = "vaa-api";
  /** Base URL, once started. */
  url = "";
  private server: Server | undefined;
  private readonly recent = new LogRing();
  /** Open server-sent-event streams. */
  private readonly streams = new Set<ServerResponse>();
  protected readonly life = new Lifecycle({ name: this.name, start: () => this.listen(), stop: () => this.close(), logs: () => this.logs() });

  constructor(
    private readonly network: GuardianNetwork,
    private readonly limits: Partial<ServerLimits> = {},
  ) {
    super();
  }

  logs(): string[] {
    return this.recent.tail();
  }

  private async listen(): Promise<void> {
    const server = getOnlyServer(this.name, (req, res, url) => this.handle(req, res, url), this.limits);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.network.on("vaa", this.push);
  }

  private async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.network.off("vaa", this.push);
    this.streams.clear();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const send = (status: number, body: unknown) => answer(res, status, body);

    if (url.pathname === "/v1/signed_vaa/stream") return this.stream(req, res);

    const byId = /^\/v1\/signed_vaa\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (byId) {
      const [, chain, emitter, sequence] = byId as unknown as [string, string, string, string];
      const problem = badId(chain, emitter, sequence);
      if (problem) return send(400, { message: problem });
      const vaa = this.network.get(Number(chain), `0x${emitter}`, BigInt(sequence));
      if (!vaa) return send(404, { code: 5, message: "requested VAA not found in store" });
      return send(200, { vaaBytes: Buffer.from(vaa.bytes).toString("base64") });
    }

    if (url.pathname === "/api/v1/vaas" && url.searchParams.has("txHash")) {
      const txHash = url.searchParams.get("txHash")!;
      if (!/^0x[0-9a-fA-F]{64}$/.test(txHash)) return send(400, { message: `txHash "${txHash}" must be 0x followed by 64 hex digits` });
      const vaas = this.network.byTxHash(txHash as Hex);
      if (!vaas.length) return send(404, { message: "no VAA for this transaction yet" });
      return send(200, { data: vaas.map(wormholescanVaa) });
    }
    // A hostile path may be up to the header limit long: its first 200 characters are enough to log.
    const path = url.pathname.length > 200 ? `${url.pathname.slice(0, 200)}…` : url.pathname;
    this.recent.push(`404 ${path}`);
    return send(404, { message: `no route ${path}; use /v1/signed_vaa/{chain}/{emitter}/{sequence}, /v1/signed_vaa/stream or /api/v1/vaas?txHash=` });
  }

  /** Pushes every VAA signed from now on to this client until it hangs up (at most MAX_STREAMS at once). */
  private stream(req: IncomingMessage, res: ServerResponse): void {
    if (this.streams.size >= MAX_STREAMS) {
      return answer(res, 429, { message: `${this.name}: ${MAX_STREAMS} streams are open already; poll /v1/signed_vaa/{chain}/{emitter}/{sequence}` });
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    res.flushHeaders();
    this.streams.add(res);
    const close = () => this.streams.delete(res);
    req.once("close", close);
    res.once("close", close);
  }

  /** One listener on the network for every stream; a client that stops reading is cut off once STREAM_BACKLOG_BYTES wait for it. */
  private readonly push = (vaa: SignedVaa) => {
    if (!this.streams.size) return;
    const id = vaaKey(vaa.emitterChain, vaa.emitterAddress, vaa.sequence);
    const event = `id: ${id}\ndata: ${JSON.stringify({ id, vaaBytes: Buffer.from(vaa.bytes).toString("base64") })}\n\n`;
    for (const res of this.streams) {
      if (res.writableLength > STREAM_BACKLOG_BYTES) {
        this.recent.push(`stream cut off: ${res.writableLength} bytes unread`);
        this.streams.delete(res);
        res.destroy();
      } else res.write(event);
    }
  };
}

/** Server-sent-event streams open at once; more are answered 429. */
export const MAX_STREAMS = 64;
/** Bytes a stream's client may leave unread before the stream is closed. */
export const STREAM_BACKLOG_BYTES = 8 * 1024 * 1024;

function badId(chain: string, emitter: string, sequence: string): string | undefined {
  if (!/^\d{1,5}$/.test(chain) || Number(chain) > 65535) return `chain "${chain}" must be a Wormhole chain id (0..65535)`;
  if (!/^[0-9a-fA-F]{64}$/.test(emitter)) return `emitter "${emitter}" must be 64 hex digits without 0x`;
  if (!/^\d{1,20}$/.test(sequence)) return `sequence "${sequence}" must be a decimal integer`;
  return undefined;
}

function wormholescanVaa(vaa: SignedVaa) {
  return {
    id: `${vaa.emitterChain}/${vaa.emitterAddress.slice(2)}/${vaa.sequence}`,
    sequence: String(vaa.sequence),
    emitterChain: vaa.emitterChain,
    emitterAddr: vaa.emitterAddress.slice(2),
    vaa: Buffer.from(vaa.bytes).toString("base64"),
    txHash: vaa.txHash,
    digest: vaa.hash.slice(2),
  };
}
