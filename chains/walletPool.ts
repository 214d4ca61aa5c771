import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { parseGwei, type Address, type Hex } from "viem";
import { rpc } from "../src/infra/rpc.ts";
import { signTransaction } from "./txSigner.ts";

export interface WalletPoolOptions {
  rpcUrl: string;
  chainId: number;
  /** TEST-ONLY keys of the accounts to send from. */
  privateKeys: Hex[];
  /** EIP-1559 max fee per gas, gwei. [200] */
  maxFeeGwei?: number;
  /** EIP-1559 priority fee, gwei. [1] */
  priorityFeeGwei?: number;
}

/** EIP-1559 fees of one transaction, wei per gas. */
export interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

/** A sent transaction: which account and nonce it holds, so it can be replaced. */
export interface Ticket {
  hash: Hex;
  wallet: number;
  nonce: number;
  to: Address;
  data: Hex;
  gas: bigint;
  value: bigint;
  fees: Fees;
}

interface Wallet {
  account: PrivateKeyAccount;
  privateKey: Hex;
  nonce: number;
  /** Set while the local nonce is being re-read after a failed send. */
  resync: Promise<void> | undefined;
}

/**
 * Sends contract calls from several accounts with nonces tracked locally, so many
 * transactions can be in flight without asking the node for a nonce each time.
 * Transactions are signed here (libsecp256k1) and sent raw; a failed send re-reads that
 * account's nonce.
 */
export class WalletPool {
  private wallets: Wallet[];
  private next = 0;
  private readonly maxFeePerGas: bigint;
  private readonly maxPriorityFeePerGas: bigint;

  constructor(private readonly options: WalletPoolOptions) {
    this.wallets = options.privateKeys.map((key) => ({ account: privateKeyToAccount(key), privateKey: key, nonce: 0, resync: undefined }));
    this.maxFeePerGas = parseGwei(String(options.maxFeeGwei ?? 200));
    this.maxPriorityFeePerGas = parseGwei(String(options.priorityFeeGwei ?? 1));
  }

  get addresses(): Address[] {
    return this.wallets.map((w) => w.account.address);
  }

  async init(): Promise<void> {
    await Promise.all(this.wallets.map((w) => this.readNonce(w)));
  }

  /** Closed while `exclusive` runs: sends wait here. */
  private gate: Promise<void> | undefined;
  /** Sends between taking a nonce and the node's answer. */
  private readonly sending = new Set<Promise<unknown>>();

  /**
   * Runs `fn` with no send in progress: new sends wait, sends under way finish first. For
   * changes under the pool's feet (a reorg that rolls nonces back).
   */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (this.gate) await this.gate;
    let open!: () => void;
    this.gate = new Promise<void>((resolve) => (open = resolve));
    try {
      await Promise.allSettled([...this.sending]);
      return await fn();
    } finally {
      this.gate = undefined;
      open();
    }
  }

  /** Signs and sends a call from the next account in turn; resolves with the tx hash once the node accepted it. */
  async send(to: Address, data: Hex, gas: bigint, value = 0n): Promise<Hex> {
    return (await this.sendTicket(to, data, gas, value)).hash;
  }

  /** Like send(), with the pool's fees unless `fees` are given; returns what replace() needs. */
  async sendTicket(to: Address, data: Hex, gas: bigint, value = 0n, fees?: Fees): Promise<Ticket> {
    while (this.gate) await this.gate;
    const sent = this.signAndSend(to, data, gas, value, fees ?? { maxFeePerGas: this.maxFeePerGas, maxPriorityFeePerGas: this.maxPriorityFeePerGas });
    this.sending.add(sent);
    try {
      return await sent;
    } finally {
      this.sending.delete(sent);
    }
  }

  /**
   * Sends the same call again with the same account and nonce and higher fees (a node
   * keeps the one that pays more). Rejects when the node refuses it, e.g. because the
   * first one was already included; the account's nonce is left as it is.
   */
  async replace(ticket: Ticket, fees: Fees): Promise<Ticket> {
    const wallet = this.wallets[ticket.wallet]!;
    const signed = this.sign(wallet, ticket.to, ticket.data, ticket.gas, ticket.value, ticket.nonce, fees);
    const hash = await rpc<Hex>(this.options.rpcUrl, "eth_sendRawTransaction", [signed]);
    return { ...ticket, hash, fees };
  }

  private sign(wallet: Wallet, to: Address, data: Hex, gas: bigint, value: bigint, nonce: number, fees: Fees): Hex {
    return signTransaction(wallet.privateKey, { type: "eip1559", chainId: this.options.chainId, to, data, gas, value, nonce, ...fees });
  }

  private async signAndSend(to: Address, data: Hex, gas: bigint, value: bigint, fees: Fees): Promise<Ticket> {
    const index = this.next++ % this.wallets.length;
    const wallet = this.wallets[index]!;
    if (wallet.resync) await wallet.resync;
    const nonce = wallet.nonce++;
    const signed = this.sign(wallet, to, data, gas, value, nonce, fees);
    try {
      const hash = await rpc<Hex>(this.options.rpcUrl, "eth_sendRawTransaction", [signed]);
      return { hash, wallet: index, nonce, to, data, gas, value, fees };
    } catch (err) {
      // The node did not take this nonce; later sends would wait behind the gap forever.
      void this.resyncWallet(wallet);
      throw err;
    }
  }

  /** Re-reads every account's nonce from the node. */
  async resync(): Promise<void> {
    await Promise.all(this.wallets.map((wallet) => this.resyncWallet(wallet)));
  }

  /** Re-reads one account's nonce; sends from it wait until that is done. One re-read at a time. */
  private resyncWallet(wallet: Wallet): Promise<void> {
    return (wallet.resync ??= this.readNonce(wallet).finally(() => (wallet.resync = undefined)));
  }

  private async readNonce(wallet: Wallet): Promise<void> {
    const count = await rpc<Hex>(this.options.rpcUrl, "eth_getTransactionCount", [wallet.account.address, "pending"]);
    wallet.nonce = Number(count);
  }
}
