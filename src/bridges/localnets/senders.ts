import { DirectSecp256k1Wallet, type AccountData, type DirectSignResponse, type EncodeObject, type OfflineDirectSigner } from "@cosmjs/proto-signing";
import type { SignDoc } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { mnemonicToAccount } from "viem/accounts";
import { SigningStargateClient, type StdFee } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { TEST_MNEMONIC } from "../../../chains/devAccounts.ts";
import { BridgeStressError } from "../../infra/errors.ts";
import type { DropReason } from "../../measure/dropReasons.ts";

/** CheckTx code of x/auth for a wrong sequence (ErrWrongSequence). */
const WRONG_SEQUENCE = 32;
/** Zero gas price: the localnet's minimum is 0, so only the gas limit matters. */
const FEE: StdFee = { amount: [], gas: "200000" };

/** A transaction the node refused in CheckTx (mempool full, bad sequence, …): final for that message. */
export class CheckTxError extends BridgeStressError {
  static override readonly code = "checktx-refused";
  static override readonly docs = "README.md#cosmos";
  constructor(
    readonly txCode: number,
    readonly codespace: string,
    readonly log: string,
  ) {
    super(`checktx: ${codespace || "sdk"} code ${txCode}: ${log}`);
  }

  /** The message's drop reason: `checktx` with the node's code and log. */
  get dropReason(): DropReason {
    return { code: "checktx", detail: `${this.codespace || "sdk"} code ${this.txCode}: ${this.log}` };
  }
}

interface Account {
  address: string;
  accountNumber: bigint;
  sequence: number;
  /** Broadcasts of one account go out one after another, in sequence order. */
  queue: Promise<unknown>;
}

/** TEST-ONLY addresses of the first `count` accounts of the test mnemonic on the Cosmos Hub path (prefix cosmos). */
export async function testAddresses(count: number, first = 0, mnemonic = TEST_MNEMONIC): Promise<string[]> {
  const wallet = await testWallet(count, first, mnemonic);
  return (await wallet.getAccounts()).map((a) => a.address);
}

/**
 * A signer over TEST-ONLY keys of the test mnemonic (m/44'/118'/0'/0/i), derived once.
 * CosmJS's HD wallet derives every account's key again on each signature, which would make
 * the load generator the bottleneck it measures.
 */
async function testWallet(count: number, first = 0, mnemonic = TEST_MNEMONIC): Promise<OfflineDirectSigner> {
  const wallets = await Promise.all(
    Array.from({ length: count }, (_, i) => {
      // viem's types only admit Ethereum's coin type 60; its BIP-32 derivation takes any path.
      const path = `m/44'/118'/0'/0/${first + i}` as `m/44'/60'/${string}`;
      const key = mnemonicToAccount(mnemonic, { path }).getHdKey().privateKey!;
      return DirectSecp256k1Wallet.fromKey(key, "cosmos");
    }),
  );
  const accounts: AccountData[] = (await Promise.all(wallets.map((w) => w.getAccounts()))).flat();
  const byAddress = new Map(accounts.map((a, i) => [a.address, wallets[i]!]));
  return {
    getAccounts: async () => accounts,
    signDirect: (address: string, doc: SignDoc): Promise<DirectSignResponse> => {
      const wallet = byAddress.get(address);
      if (!wallet) throw new Error(`no test key for ${address}`);
      return wallet.signDirect(address, doc);
    },
  };
}

/**
 * Sends transactions from several accounts with sequences tracked here, so many can be in
 * flight at once without asking the node each time: signed with explicit signer data
 * (account number, sequence, chain id) and broadcast with broadcast_tx_sync. An account's
 * transactions leave in sequence order; a wrong-sequence refusal takes the sequence the
 * node expects (from its answer, else the chain) and signs again (at most twice), so a run
 * never collapses into "account sequence mismatch". Other CheckTx refusals are final and
 * thrown as CheckTxError.
 */
export class CosmosSenders {
  private accounts: Account[] = [];
  private next = 0;

  private constructor(
    private readonly client: SigningStargateClient,
    private readonly chainId: string,
  ) {}

  static async connect(rpcUrl: string, chainId: string, count: number): Promise<CosmosSenders> {
    const wallet = await testWallet(count);
    const comet = await Comet38Client.connect(rpcUrl);
    const client = SigningStargateClient.createWithSigner(comet, wallet);
    const senders = new CosmosSenders(client, chainId);
    for (const { address } of await wallet.getAccounts()) {
      const account = await client.getAccount(address);
      if (!account) throw new Error(`sender ${address} has no account on ${chainId}: it must be funded in genesis`);
      senders.accounts.push({ address, accountNumber: account.accountNumber, sequence: account.sequence, queue: Promise.resolve() });
    }
    return senders;
  }

  get addresses(): string[] {
    return this.accounts.map((a) => a.address);
  }

  /** Signs and broadcasts from the next account in turn; resolves with the tx hash (upper-case hex) once CheckTx accepted it. */
  send(messages: (from: string) => EncodeObject[], memo: string): Promise<string> {
    const account = this.accounts[this.next++ % this.accounts.length]!;
    const sent = account.queue.then(() => this.broadcast(account, messages(account.address), memo, 2));
    account.queue = sent.catch(() => undefined);
    return sent;
  }

  /** Transactions/s this process can sign (CosmJS, one core) over `ms`, broadcasting nothing: the senders' CPU ceiling. */
  async signingRate(messages: (from: string) => EncodeObject[], memo: string, ms: number): Promise<number> {
    const account = this.accounts[0]!;
    let count = 0;
    const started = performance.now();
    while (performance.now() - started < ms) {
      const signed = await this.client.sign(account.address, messages(account.address), FEE, memo, {
        accountNumber: account.accountNumber,
        sequence: account.sequence + 1_000_000 + count,
        chainId: this.chainId,
      });
      TxRaw.encode(signed).finish();
      count++;
    }
    return count / ((performance.now() - started) / 1000);
  }

  disconnect(): void {
    this.client.disconnect();
  }

  private async broadcast(account: Account, messages: EncodeObject[], memo: string, retries: number): Promise<string> {
    const signed = await this.client.sign(account.address, messages, FEE, memo, {
      accountNumber: account.accountNumber,
      sequence: account.sequence,
      chainId: this.chainId,
    });
    const bytes = TxRaw.encode(signed).finish();
    try {
      const hash = await this.client.broadcastTxSync(bytes);
      account.sequence++;
      return hash;
    } catch (err) {
      const { code, codespace, log } = err as { code?: number; codespace?: string; log?: string };
      if (code === undefined) throw err;
      if (code === WRONG_SEQUENCE && retries > 0) {
        // The node's CheckTx state counts transactions still in its mempool, which the
        // committed account does not: take the sequence it expects from its answer.
        const expected = /expected (\d+), got \d+/.exec(log ?? "");
        if (expected) account.sequence = Number(expected[1]);
        else account.sequence = (await this.client.getAccount(account.address))?.sequence ?? account.sequence;
        return this.broadcast(account, messages, memo, retries - 1);
      }
      throw new CheckTxError(code, codespace ?? "", log ?? "");
    }
  }
}
