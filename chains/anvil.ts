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
  /**
   * How much history the process keeps (`--prune-history`, `--transaction-block-keeper`), so a
   * long run's memory stays bounded; see anvilHistory. [anvil's own: every block's transactions,
   * 500 states in memory and 3,600 more on disk]
   */
  history?: AnvilHistory;
}

/** What an anvil keeps of its past (anvilHistory chooses it for a run). */
export interface AnvilHistory {
  /** States of past blocks kept in memory, newest first; none on disk. 0: none (only the head's). */
  states: number;
  /** Blocks whose transactions, receipts and logs are kept, newest first. */
  transactionBlocks: number;
}

/**
 * The past states a destination keeps: 2. anvil 1.7.1 keeps each as a full copy of the in-memory
 * state, made when a block is mined (backend/mem/mod.rs do_mine_block → current_state), so each
 * costs memory and copying time that grow with the contracts' storage, which a destination's
 * receiver grows by a replay-protection slot a delivery; nothing reads a destination's state at a
 * past block on purpose. But a call at "latest" does, when a block is mined between anvil reading
 * the head's number and reading its state: with none kept (the bare `--prune-history`) about 3 %
 * of eth_calls made while blocks were mined every few ms failed "BlockOutOfRangeError: block
 * height is N+1 but requested was N" (seen once in the suites, in the integration suite's lending
 * run); with 2 kept none failed with blocks every 25 ms (chains/anvil.test.ts), 8 to 20 times as
 * often as the shipped scenarios' chains (200–500 ms).
 * (Mined back to back on a busy machine, one call still waited out three blocks.)
 */
export const MIN_HISTORY_STATES = 2;
/**
 * The fewest states a source chain keeps: the drain replays a reverted send with eth_call on the
 * block before it (watchers.ts dropRevertedSends), which must still be kept: 64 blocks is 32 s
 * at Ethereum's 500 ms, enough for the sends of a short run's last stage and its drain.
 */
export const MIN_SOURCE_STATES = 64;
/**
 * The fewest blocks whose transactions a chain keeps: the unscheduled-reorg check
 * (chains/sourceBlocks.ts) reads back as far as this (their hashes, which a block keeps when its
 * transactions go), and whatever reads the logs and receipts of those blocks finds them.
 */
export const MIN_TRANSACTION_BLOCKS = 512;

/**
 * How much of its past an anvil keeps for a run. anvil's defaults keep every block's transactions
 * (with receipts and call traces) and the state of each of the last 500 blocks in memory (1,500
 * under `--block-time` ≤ 2 s) and of 3,600 more on disk; a 10-minute run at 200 msgs/s took three
 * anvils from 100 MB to 11.7 GB. Kept here:
 * - states (`--prune-history <n>`, in memory only; it sets `--max-persisted-states` to 0, so
 *   nothing is written to disk; a bare `--prune-history` keeps none): `MIN_HISTORY_STATES`, on a
 *   `source` `MIN_SOURCE_STATES`, or the deepest scheduled reorg + 2 when deeper (anvil_reorg of
 *   depth d re-executes from the state at head − d);
 * - transactions (`--transaction-block-keeper <n>`): `MIN_TRANSACTION_BLOCKS`, or the blocks the
 *   chain makes in `lookBackMs` when more (the transactions the guardians' re-observation and
 *   the drain's reverted-send check look up by hash, and the relayers' receipts); blocks older
 *   than that keep their header and hash, so the unscheduled-reorg check still reads them.
 */
export function anvilHistory(options: { blockTimeMs: number; deepestReorg?: number; lookBackMs: number; source?: boolean }): AnvilHistory {
  const { blockTimeMs, deepestReorg = 0, lookBackMs, source = false } = options;
  return {
    states: Math.max(source ? MIN_SOURCE_STATES : MIN_HISTORY_STATES, deepestReorg > 0 ? deepestReorg + 2 : 0),
    transactionBlocks: Math.max(MIN_TRANSACTION_BLOCKS, deepestReorg + 2, Math.ceil(lookBackMs / blockTimeMs)),
  };
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
  if (options.history) {
    const { states, transactionBlocks } = options.history;
    if (!Number.isInteger(states) || states < 0) throw new Error(`anvil history.states: ${states}; it must be a whole number ≥ 0`);
    if (!Number.isInteger(transactionBlocks) || transactionBlocks < 1)
      throw new Error(`anvil history.transactionBlocks: ${transactionBlocks}; it must be a whole number ≥ 1`);
    // No past states is the bare flag: anvil 1.7.1 never returns from `--prune-history 0` (a loop that evicts down to the limit).
    args.push(...(states === 0 ? ["--prune-history"] : ["--prune-history", String(states)]), "--transaction-block-keeper", String(transactionBlocks));
  }
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
