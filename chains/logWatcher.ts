import { formatLog, parseEventLogs, numberToHex, type Abi, type Address, type RpcLog } from "viem";
import { rpc } from "../src/infra/rpc.ts";
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
        const logs = await decodedLogs(options.rpcUrl, options.addresses, options.abi, from, to);
        if (logs.length) options.onLogs(logs, seenAt);
        await options.afterRange?.(to, seenAt);
      },
    });
  }
}

type Decoded<TAbi extends Abi> = ReturnType<typeof parseEventLogs<TAbi>>;

/** eth_getLogs calls under way, by endpoint, contracts and range, with what each ABI decoded of them. */
const inFlight = new Map<string, { raw: Promise<RpcLog[]>; decoded: Map<Abi, Decoded<Abi>> }>();

/**
 * The decoded logs of some contracts over a block range. Watchers of the same contracts on
 * one endpoint (the guardians', the path's and the relayer's on a source chain's core) hear
 * of a new head at the same moment from the shared HeadFeed and ask for the same range:
 * they share one call and one decoding. The result is read-only to them.
 */
async function decodedLogs<TAbi extends Abi>(rpcUrl: string, addresses: Address[], abi: TAbi, from: bigint, to: bigint): Promise<Decoded<TAbi>> {
  const key = `${rpcUrl} ${addresses.join(",")} ${from} ${to}`;
  let call = inFlight.get(key);
  if (!call) {
    const raw = rpc<RpcLog[]>(rpcUrl, "eth_getLogs", [{ address: addresses, fromBlock: numberToHex(from), toBlock: numberToHex(to) }]);
    const entry = { raw, decoded: new Map<Abi, Decoded<Abi>>() };
    inFlight.set(key, entry);
    // Kept until the callers of this turn have read it: later asks of the same range make a new call.
    void raw.then(
      () => setImmediate(() => inFlight.delete(key)),
      () => inFlight.delete(key),
    );
    call = entry;
  }
  const raw = await call.raw;
  let decoded = call.decoded.get(abi) as Decoded<TAbi> | undefined;
  if (!decoded) {
    decoded = raw.length ? parseEventLogs({ abi, logs: raw.map((log) => formatLog(log)) }) : [];
    call.decoded.set(abi, decoded as Decoded<Abi>);
  }
  return decoded;
}
