import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { z } from "zod";
import type { CosmosLocalnet } from "../../../chains/cosmos.ts";
import { DENOM } from "../../../chains/cosmos.ts";
import { ProcessInstance } from "../../infra/instance.ts";
import { Lifecycle, LifecycleInstance } from "../../infra/lifecycle.ts";
import { toolPath } from "../../../chains/tools.ts";
import { RelayerPresetError } from "../../engine/bridge.ts";

const run = promisify(execFile);
const PRESET_DIR = fileURLToPath(new URL("../../../fixtures/relayers/rly/", import.meta.url));

/** Settings of rly (cosmos/relayer v2) that its presets in fixtures/relayers/rly/ set. */
export interface RlyConfig {
  name: string;
  description?: string;
  /** `rly start --max-msgs`: messages per relay transaction. */
  maxMsgs: number;
  /** Chain config `min-loop-duration`: how often rly queries new blocks, ms. */
  minLoopDurationMs: number;
  /** `rly start --flush-interval`, s: how often it scans for packets it missed. */
  flushIntervalS: number;
  /** Chain config `gas-adjustment`. */
  gasAdjustment: number;
}

const rlySchema = z.strictObject({
  description: z.string().optional(),
  maxMsgs: z.number().int().min(1).max(1000),
  minLoopDurationMs: z.number().int().min(10).max(60_000),
  flushIntervalS: z.number().int().min(1).max(86_400),
  gasAdjustment: z.number().min(1).max(10),
});

export function rlyPresetNames(): string[] {
  return readdirSync(PRESET_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.replace(/\.json$/, ""));
}

/** Loads an rly preset by name, validating every field. */
export function loadRlyPreset(name: string): RlyConfig {
  const file = join(PRESET_DIR, `${name}.json`);
  if (!existsSync(file))
    throw new RelayerPresetError(`rly preset "${name}": no such preset in fixtures/relayers/rly/; use one of ${rlyPresetNames().join(", ")}`);
  const parsed = rlySchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RelayerPresetError(`rly preset "${name}": field "${issue.path.join(".")}": ${issue.message}`);
  }
  return { name, ...parsed.data };
}

/** rly's block query loop while it links the chains, ms. */
const LINK_LOOP_MS = 100;

/** How long rly may take to link the chains (clients, connection, channel) and catch up with both heads, ms. */
const START_TIMEOUT_MS = 300_000;

/** The path rly relays: the ICS-20 channel it opens between two localnets. */
export const PATH_NAME = "transfer";

/**
 * rly (cosmos/relayer v2.6, built by the setup step) relaying ICS-20 packets between two
 * Cosmos localnets, as an external relayer process (an Instance, like every long-lived part):
 * it reports nothing to the harness and is measured on-chain only, like any outside relayer. Its home (chain configs, the relayer's
 * TEST-ONLY key, the path) is written to a temporary folder; `start()` opens clients, a
 * connection and a transfer channel (`rly transact link`) and then runs `rly start`.
 */
export class Rly extends LifecycleInstance {
  readonly name: string;
  /** Its home, made by each start and removed by the stop. */
  private home = "";
  private process: ProcessInstance | undefined;
  /** Aborted when the start is abandoned: the rly command under way is killed. */
  private starting: AbortSignal | undefined;
  protected readonly life: Lifecycle;
  /** The channel id on each chain once linked (`channel-0` on fresh chains). */
  channels: { source: string; destination: string } | undefined;

  constructor(
    readonly config: RlyConfig,
    private readonly chains: [CosmosLocalnet, CosmosLocalnet],
    /** TEST-ONLY mnemonic of the relayer's account (funded on both chains). */
    private readonly mnemonic: string,
  ) {
    super();
    this.name = `rly:${config.name}`;
    this.life = new Lifecycle({
      name: this.name,
      start: (signal) => this.open(signal),
      stop: () => this.close(),
      logs: () => this.logs(),
      startTimeoutMs: START_TIMEOUT_MS,
    });
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  logs(): string[] {
    return this.process?.logs() ?? [];
  }

  private async open(signal: AbortSignal): Promise<void> {
    this.starting = signal;
    this.home = mkdtempSync(join(tmpdir(), "bridge-stress-rly-"));
    await this.rly("config", "init");
    for (const net of this.chains) {
      const id = net.options.chainId;
      const file = join(this.home, `${id}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          type: "cosmos",
          value: {
            key: "relayer",
            "chain-id": id,
            "rpc-addr": net.rpcUrl,
            "account-prefix": "cosmos",
            "keyring-backend": "test",
            "gas-adjustment": this.config.gasAdjustment,
            "gas-prices": `0${DENOM}`,
            "min-gas-amount": 0,
            "max-gas-amount": 0,
            debug: false,
            timeout: "10s",
            "output-format": "json",
            "sign-mode": "direct",
            "extra-codecs": [],
            "coin-type": 118,
            "broadcast-mode": "batch",
            // A Go time.Duration in JSON: nanoseconds. Linking needs a loop faster than the
            // blocks (rly's handshake never catches up otherwise); the preset's loop is
            // put in before `rly start`.
            "min-loop-duration": LINK_LOOP_MS * 1_000_000,
          },
        }),
      );
      await this.rly("chains", "add", "--file", file, id);
      await this.rly("keys", "restore", id, "relayer", this.mnemonic);
    }
    const [a, b] = this.chains.map((c) => c.options.chainId);
    await this.rly("paths", "new", a!, b!, PATH_NAME);
    await this.rly("transact", "link", PATH_NAME, "--src-port", "transfer", "--dst-port", "transfer", "--order", "unordered", "--version", "ics20-1");
    const channels = await this.channelsOf(a!);
    this.channels = channels;
    const configPath = join(this.home, "config", "config.yaml");
    const config = readFileSync(configPath, "utf8");
    if (!config.includes(`min-loop-duration: ${LINK_LOOP_MS}ms`)) throw new Error(`rly's config.yaml has no "min-loop-duration: ${LINK_LOOP_MS}ms" to change`);
    writeFileSync(configPath, config.replaceAll(`min-loop-duration: ${LINK_LOOP_MS}ms`, `min-loop-duration: ${this.config.minLoopDurationMs}ms`));
    let inSync = 0;
    this.process = new ProcessInstance({
      name: this.name,
      command: toolPath("rly"),
      args: [
        "start",
        PATH_NAME,
        "--home",
        this.home,
        "--max-msgs",
        String(this.config.maxMsgs),
        "--flush-interval",
        `${this.config.flushIntervalS}s`,
        "--log-format",
        "json",
      ],
      // Ready once it caught up with both chains' heads; it relays nothing before.
      readyWhen: (line) => line.includes('"Chain is in sync"') && ++inSync >= 2,
      startTimeoutMs: 60_000,
    });
    await this.process.start();
    this.starting = undefined;
  }

  /** rly's submissions cannot be observed from outside; the run's final sweep reads what landed. */
  async settle(): Promise<void> {}

  private async close(): Promise<void> {
    this.starting = undefined;
    await this.process?.stop();
    if (this.home) rmSync(this.home, { recursive: true, force: true });
  }

  private async channelsOf(chainId: string): Promise<{ source: string; destination: string }> {
    const { stdout } = await this.rly("query", "channels", chainId);
    const first = stdout.split("\n").find((line) => line.includes('"port_id":"transfer"'));
    if (!first) throw new Error(`rly linked ${PATH_NAME} but ${chainId} reports no transfer channel`);
    const channel = JSON.parse(first) as { channel_id: string; counterparty: { channel_id: string } };
    return { source: channel.channel_id, destination: channel.counterparty.channel_id };
  }

  private async rly(...args: string[]): Promise<{ stdout: string }> {
    try {
      return await run(toolPath("rly"), [...args, "--home", this.home], { maxBuffer: 64 * 1024 * 1024, signal: this.starting });
    } catch (err) {
      const stderr = String((err as { stderr?: string }).stderr ?? "")
        .split("\n")
        .filter((l) => !l.includes("not yet in sync"))
        .slice(-15)
        .join("\n");
      throw new Error(`rly ${args.slice(0, 2).join(" ")} failed: ${stderr || (err as Error).message}`);
    }
  }
}
