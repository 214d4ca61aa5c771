import { EventEmitter, once } from "node:events";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { ProcessInstance, type InstanceStatus } from "../../../infra/instance.ts";
import type { ReferenceRelayerConfig } from "./config.ts";
import { within } from "../../../infra/within.ts";
import type { Relayer, RelayerEndpoints, RelayerEventMap } from "./relayer.ts";

const ENTRY = fileURLToPath(new URL("./relayerProcess.ts", import.meta.url));

/**
 * The reference relayer run as a separate process, with a checkpoint file: it can be killed
 * with SIGKILL mid-run and started again, and resumes where its checkpoint says.
 */
export class ProcessRelayer implements Relayer {
  readonly name: string;
  readonly events = new EventEmitter<RelayerEventMap>();
  private process: ProcessInstance | undefined;
  private readonly settled = new EventEmitter();

  constructor(
    private readonly endpoints: RelayerEndpoints,
    private readonly config: ReferenceRelayerConfig,
    private readonly checkpointPath: string,
    /** The integration module, loaded again in the relayer's process. */
    private readonly integrationModule: string,
  ) {
    this.name = `relayer-process:${config.name}`;
  }

  get status(): InstanceStatus {
    return this.process?.status ?? "idle";
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  logs(): string[] {
    return this.process?.logs() ?? [];
  }

  async start(): Promise<void> {
    const instance = new ProcessInstance({
      name: this.name,
      command: process.execPath,
      args: ["--import", "tsx", ENTRY],
      env: {
        ...process.env,
        BRIDGE_STRESS_RELAYER_ENDPOINTS: JSON.stringify(this.endpoints),
        BRIDGE_STRESS_RELAYER_CONFIG: JSON.stringify(this.config),
        BRIDGE_STRESS_RELAYER_CHECKPOINT: this.checkpointPath,
        BRIDGE_STRESS_INTEGRATION: this.integrationModule,
      },
      readyWhen: (line) => line.includes('"event":"ready"'),
      onLine: (line) => this.onLine(line),
      startTimeoutMs: 30_000,
    });
    this.process = instance;
    await instance.start();
  }

  /** SIGKILL: no chance to save anything beyond the last checkpoint. */
  async kill(): Promise<void> {
    const instance = this.process;
    if (!instance?.pid) return;
    process.kill(instance.pid, "SIGKILL");
    await instance.stop();
  }

  async settle(timeoutMs: number): Promise<void> {
    if (this.process?.status !== "started" || !this.process.pid) return;
    const done = once(this.settled, "settled");
    process.kill(this.process.pid, "SIGUSR2");
    await within(done, timeoutMs);
  }

  async stop(): Promise<void> {
    await this.process?.stop();
  }

  private onLine(line: string): void {
    if (!line.startsWith("{")) return;
    const message = JSON.parse(line) as { event: string; at?: number };
    if (message.event === "settled") this.settled.emit("settled");
    if (message.at === undefined) return;
    const at = message.at - performance.timeOrigin;
    const e = { ...message, at } as never;
    if (message.event === "fetched" || message.event === "submitted" || message.event === "duplicate" || message.event === "gaveUp") {
      this.events.emit(message.event, e);
    }
  }
}
