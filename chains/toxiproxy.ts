import { setTimeout as sleep } from "node:timers/promises";
import { ProcessInstance, InstanceError } from "../src/infra/instance.ts";
import { freePort } from "../src/infra/freePort.ts";
import { toolPath } from "./tools.ts";

export type ToxicType = "latency" | "bandwidth" | "timeout" | "reset_peer" | "slow_close" | "slicer" | "limit_data";

export interface Toxic {
  name: string;
  type: ToxicType;
  /** downstream: upstream → client (responses); upstream: client → upstream (requests). */
  stream: "downstream" | "upstream";
  /** Share of connections affected, 0..1. */
  toxicity?: number;
  attributes: Record<string, number>;
}

/** How often and how long start() asks the API to answer after the ready line: 2 s at most. */
const API_READY_EVERY_MS = 20;
const API_READY_ATTEMPTS = 100;

/**
 * Toxiproxy (built from Go modules by the setup step): a TCP proxy per endpoint on
 * 127.0.0.1 whose links can be slowed, throttled, reset or cut through its HTTP API.
 * Network faults go through it because this kernel has no tc netem.
 */
export class Toxiproxy extends ProcessInstance {
  apiUrl = "";

  constructor(port: number) {
    super({
      name: "toxiproxy",
      command: toolPath("toxiproxy-server"),
      args: ["-host", "127.0.0.1", "-port", String(port)],
      readyWhen: (line) => line.includes("Starting Toxiproxy HTTP server"),
    });
    this.apiUrl = `http://127.0.0.1:${port}`;
  }

  /** Starts on a free port, trying another if the first was taken meanwhile. */
  static async launch(): Promise<Toxiproxy> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const proxy = new Toxiproxy(await freePort());
      try {
        await proxy.start();
        return proxy;
      } catch (err) {
        lastError = err;
        // A start that failed after the process came up (its API never answered) leaves no process behind.
        await proxy.stop().catch(() => undefined);
      }
    }
    throw lastError;
  }

  override async start(): Promise<void> {
    await super.start();
    // Its "Starting Toxiproxy HTTP server" line comes just before the server listens (a GET
    // right after it was refused now and then, on a busy machine): ask until it answers.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.api("GET", "/version");
        return;
      } catch (err) {
        if (attempt >= API_READY_ATTEMPTS || !(err instanceof TypeError)) throw err;
        await sleep(API_READY_EVERY_MS);
      }
    }
  }

  /** Creates a proxy listening on an OS-chosen 127.0.0.1 port; returns "127.0.0.1:port". */
  async createProxy(name: string, upstream: string): Promise<string> {
    const proxy = (await this.api("POST", "/proxies", { name, listen: "127.0.0.1:0", upstream, enabled: true })) as { listen: string };
    return proxy.listen;
  }

  async addToxic(proxy: string, toxic: Toxic): Promise<void> {
    await this.api("POST", `/proxies/${proxy}/toxics`, { toxicity: 1, ...toxic });
  }

  async removeToxic(proxy: string, name: string): Promise<void> {
    await this.api("DELETE", `/proxies/${proxy}/toxics/${name}`);
  }

  /** A disabled proxy refuses connections and drops the open ones: a full outage. */
  async setEnabled(proxy: string, enabled: boolean): Promise<void> {
    await this.api("POST", `/proxies/${proxy}`, { enabled });
  }

  private async api(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.apiUrl}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    if (!response.ok) throw new InstanceError(this.name, `${method} ${path} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  }
}
