import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Hex } from "viem";
import { LogRing } from "../../../infra/instance.ts";
import { Lifecycle, LifecycleInstance } from "../../../infra/lifecycle.ts";
import type { GuardianNetwork, SignedVaa } from "./guardianNetwork.ts";
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
 */
export class VaaApi extends LifecycleInstance {
  readonly name = "vaa-api";
  /** Base URL, once started. */
  url = "";
  private server: Server | undefined;
  private readonly recent = new LogRing();
  protected readonly life = new Lifecycle({ name: this.name, start: () => this.listen(), stop: () => this.close(), logs: () => this.logs() });

  constructor(private readonly network: GuardianNetwork) {
    super();
  }

  logs(): string[] {
    return this.recent.tail();
  }

  private async listen(): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 60_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  private async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method !== "GET") return send(405, { message: `${req.method} is not supported; use GET` });

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
    this.recent.push(`404 ${url.pathname}`);
    return send(404, { message: `no route ${url.pathname}; use /v1/signed_vaa/{chain}/{emitter}/{sequence}, /v1/signed_vaa/stream or /api/v1/vaas?txHash=` });
  }

  /** Pushes every VAA signed from now on to this client until it hangs up. */
  private stream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    res.flushHeaders();
    const push = (vaa: SignedVaa) => {
      const id = vaaKey(vaa.emitterChain, vaa.emitterAddress, vaa.sequence);
      res.write(`id: ${id}\ndata: ${JSON.stringify({ id, vaaBytes: Buffer.from(vaa.bytes).toString("base64") })}\n\n`);
    };
    this.network.on("vaa", push);
    const close = () => this.network.off("vaa", push);
    req.once("close", close);
    res.once("close", close);
  }
}

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
