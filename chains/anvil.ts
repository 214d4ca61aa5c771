import { DEV_ACCOUNTS } from "./devAccounts.ts";
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { ProcessInstance, InstanceError } from "../src/infra/instance.ts";
import { rpc } from "../src/infra/rpc.ts";
import { ToolMissingError } from "./tools.ts";

/** Options of one anvil process. Every field is optional; defaults in brackets. */
export interface AnvilOptions {
  /** Instance name in logs and errors. ["anvil"] */
  name?: string;
  /** EIP-155 chain id. [31337] */
  chainId?: number;
  /** Interval mining period in ms; sub-second works. Instant mining stalls under load, so it is not offered. [250] */
  blockTimeMs?: number;
  /**
   * Who mines: `interval`, anvil's own timer every `blockTimeMs` (it starts with the process, so
   * two chains' blocks fall at a random offset from each other); `clock`, nobody in anvil
   * (`--no-mining`): a BlockClock (blockClock.ts) mines it. ["interval"]
   */
  mining?: "interval" | "clock";
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
  if (!platform) throw new ToolMissingError(`anvil: no @foundry-rs/anvil build for ${process.platform}-${process.arch}; set ANVIL_BIN to an anvil binary`);
  const require = createRequire(import.meta.url);
  const bin = require.resolve(`@foundry-rs/anvil-${platform}/bin/anvil`);
  if (!existsSync(bin)) throw new ToolMissingError(`anvil: ${bin} is missing; run npm install`);
  return bin;
}

export function anvilArgs(options: AnvilOptions): string[] {
  const { chainId = 31337, blockTimeMs = 250, gasLimit = 30_000_000n, accounts = DEV_ACCOUNTS, balanceEth = 1_000_000, slotsInAnEpoch = 4 } = options;
  const args = [
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--chain-id",
    String(chainId),
    ...(options.mining === "clock" ? ["--no-mining"] : ["--block-time", String(blockTimeMs / 1000)]),
    "--gas-limit",
    String(gasLimit),
    "--accounts",
    String(accounts),
    "--balance",
    String(balanceEth),
    "--slots-in-an-epoch",
    String(slotsInAnEpoch),
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
