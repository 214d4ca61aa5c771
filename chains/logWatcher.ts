import { formatLog, parseEventLogs, numberToHex, type Abi, type Address, type RpcLog } from "viem";
import { rpc } from "./anvil.ts";
import { BlockPoller, PolledWatcher } from "./blockPoller.ts";

export interface LogWatcherOptions<TAbi extends Abi> {
  rpcUrl: string;
  /** Contracts whose logs are wanted. */
  addresses: Address[];
  /** ABI to decode them with; logs of other events are skipped. */
  abi: TAbi;
  pollIntervalMs?: number;
  fromBlock?: bigint;
  /** Decoded logs of each new block range, with the time the range was first seen. */
  onLogs: (logs: ReturnType<typeof parseEventLogs<TAbi>>, seenAt: number) => void;
  /** Called after each range's logs were handed over, with the range's last block. */
  afterRange?: (to: bigint, seenAt: number) => Promise<void>;
}

/** Follows the logs of some contracts on one chain, block range by block range. */
export class LogWatcher<TAbi extends Abi> extends PolledWatcher {
  readonly poller: BlockPoller;

  constructor(options: LogWatcherOptions<TAbi>) {
    super();
    this.poller = new BlockPoller({
      rpcUrl: options.rpcUrl,
      pollIntervalMs: options.pollIntervalMs,
      fromBlock: options.fromBlock,
      onBlocks: async (from, to, seenAt) => {
        const raw = await rpc<RpcLog[]>(options.rpcUrl, "eth_getLogs", [
          { address: options.addresses, fromBlock: numberToHex(from), toBlock: numberToHex(to) },
        ]);
        if (raw.length) options.onLogs(parseEventLogs({ abi: options.abi, logs: raw.map((log) => formatLog(log)) }), seenAt);
        await options.afterRange?.(to, seenAt);
      },
    });
  }
}
