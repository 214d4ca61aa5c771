import type { Abi, Address, Hex } from "viem";
import type { TriggerKind } from "../../measure/kinds.ts";

/**
 * An integration: the user's contracts on the Wormhole path, and how the harness and the
 * reference relayer drive them. A module whose default export is `defineIntegration({...})`,
 * named by a scenario's `"integration": "./my-integration.ts"`. The built-in
 * LiquidationHub/LiquidationReceiver pair is one (integrations/liquidation.ts).
 */

/** A compiled contract: a path to a Foundry (`out/<File>.sol/<Name>.json`) or Hardhat artifact, or its ABI and bytecode. */
export type ArtifactSource = string | URL | { abi: Abi; bytecode?: Hex | { object: Hex } };

/** One chain of the run, as an integration sees it. */
export interface IntegrationChain {
  /** Wormhole SDK chain name, e.g. "Ethereum". */
  name: string;
  wormholeChainId: number;
  evmChainId: number;
  /** The Wormhole core contract on it. */
  coreAddress: Address;
  /** Sends messages (gets the emitter). */
  isSource: boolean;
  /** Receives messages (gets the receiver). */
  isDestination: boolean;
}

/** What constructor arguments, addresses and setup are computed from. */
export interface IntegrationContext {
  /** The chain being deployed or set up. */
  chain: IntegrationChain;
  /** Every chain of the run, by name. */
  chains: Record<string, IntegrationChain>;
  /** Addresses known so far per chain and contract name ("emitter", "receiver" and the `contracts` keys). */
  contracts: Record<string, Record<string, Address>>;
  /** The emitters on the source chains, deployed before any receiver: what a receiver registers. */
  emitters: Array<{ chain: string; wormholeChainId: number; address: Address /** 32-byte Wormhole form */; emitterAddress: Hex }>;
}

/**
 * One contract: deployed from `artifact` with `args` (constructor arguments), or, with `address`,
 * one that already exists (a fork or a remote chain): then `artifact` only gives its ABI.
 */
export interface ContractSpec {
  artifact: ArtifactSource;
  args?: (ctx: IntegrationContext) => readonly unknown[] | Promise<readonly unknown[]>;
  address?: Address | ((ctx: IntegrationContext) => Address | undefined);
}

/** A further contract, deployed before the emitter and receiver on the chains `on` names (e.g. a market the receiver calls). */
export interface ExtraContractSpec extends ContractSpec {
  on: "sources" | "destinations" | "all";
}

/** What setup may do on its chain: transactions from the TEST-ONLY deployer account, and calls. */
export interface SetupContext extends IntegrationContext {
  /** Calls `functionName` of the contract named `contract` (on this chain) from the deployer; waits for it and fails on a revert. */
  write(contract: string, functionName: string, args?: readonly unknown[], value?: bigint): Promise<Hex>;
  /** Reads `functionName` of the contract named `contract` (on this chain). */
  read(contract: string, functionName: string, args?: readonly unknown[]): Promise<unknown>;
}

/** One planned message, as the send step sees it. */
export interface IntegrationMessage {
  /** The harness's message id (messages.csv `id`); decode() must give it back from the payload. */
  id: number;
  kind: TriggerKind;
  /** The trigger's deadline, unix ms: its kind's deadline after the intended send time. */
  deadlineMs: number;
  /** Seeds the position the trigger names (same seed, same positions). */
  positionSalt: number;
  /** Spam padding (scenario `spamPaddingBytes` zero bytes for spam, empty otherwise). */
  padding: Uint8Array;
}

export interface SendContext {
  source: IntegrationChain;
  destination: IntegrationChain;
  /** The emitter on the source chain (where the transaction goes). */
  emitter: Address;
  /** The scenario's consistency level (200 instant, 201 safe, 1 finalized). */
  consistencyLevel: number;
  /** The source core's messageFee(), wei: the transaction's value unless `send.value` says otherwise. */
  messageFee: bigint;
  contracts: Record<string, Address>;
}

/** What the harness and the relayer read from a published payload. */
export interface DecodedMessage {
  messageId: number | bigint;
  /** Wormhole chain id of the destination (the relayer routes by it). */
  destination: number;
  /** The message's kind (the relayer's priority lanes order by it). */
  kind: TriggerKind;
}

/** Decoded event arguments, by name. */
export type EventArgs = Record<string, unknown>;

export interface IntegrationSpec {
  /** A short name, for errors and the manifest. */
  name: string;
  /** The contract that publishes: deployed on every source chain; messages are sent to it. */
  emitter: ContractSpec;
  /** The contract that receives: deployed on every destination chain; VAAs are delivered to it. */
  receiver: ContractSpec;
  /** Further contracts, deployed first in the order given; their names are keys of `contracts` in every context. */
  contracts?: Record<string, ExtraContractSpec>;
  /** Run once per chain after every contract is deployed and before the load (e.g. register the emitters on each receiver). */
  setup?: (ctx: SetupContext) => Promise<void>;
  /** How a planned message becomes the emitter's transaction: a function of the emitter's ABI and its arguments. */
  send: {
    function: string;
    args: (message: IntegrationMessage, ctx: SendContext) => readonly unknown[];
    /** Value sent along, wei. [ctx.messageFee] */
    value?: (message: IntegrationMessage, ctx: SendContext) => bigint;
    /** Gas limit. [250 000] */
    gas?: bigint;
  };
  /** Reads a published payload back (the harness maps VAAs to messages with it; the relayer routes and orders lanes by it). */
  decode: (payload: Uint8Array) => DecodedMessage;
  /** How one signed VAA is delivered: a function of the receiver's ABI and its arguments. */
  deliver: { function: string; args: (vaa: Hex) => readonly unknown[] };
  /**
   * How several go in one transaction (relayer presets with batchSize > 1). `rejected` names the
   * event the receiver emits for a VAA of the batch it refused: its index in the batch and the reason.
   */
  deliverBatch?: {
    function: string;
    args: (vaas: Hex[]) => readonly unknown[];
    rejected: { event: string; index: (args: EventArgs) => number | bigint; reason: (args: EventArgs) => string };
  };
  /** How a delivery is recognised on the destination: a receiver event, the message id in it, and whether it came late. */
  delivered: { event: string; messageId: (args: EventArgs) => number | bigint; late?: (args: EventArgs) => boolean };
  /** Whether a revert or rejection reason means "already delivered" (a duplicate, not a failure). [includes "already delivered"] */
  alreadyDelivered?: (reason: string) => boolean;
  /** Checks after the run (e.g. the receivers' state against the deliveries); the problems it returns are reported. */
  // biome-ignore lint/suspicious/noConfusingVoidType: a check that finds nothing may return nothing (an async function without return is Promise<void>)
  verify?: (ctx: VerifyContext) => Promise<readonly string[] | void>;
}

export interface VerifyContext {
  chains: Record<string, IntegrationChain>;
  contracts: Record<string, Record<string, Address>>;
  /** Reads `functionName` of the contract named `contract` on `chain`. */
  read(chain: string, contract: string, functionName: string, args?: readonly unknown[]): Promise<unknown>;
  /** Message ids the harness saw delivered. */
  delivered: ReadonlySet<number>;
}

const BRAND = Symbol.for("bridge-stress.integration");

/** An integration made by defineIntegration. */
export type Integration = IntegrationSpec & { readonly [BRAND]: true };

/** Declares an integration; a scenario's `integration` module exports it as its default. */
export function defineIntegration(spec: IntegrationSpec): Integration {
  return Object.freeze({ ...spec, [BRAND]: true as const });
}

/** Whether `value` was made by defineIntegration. */
export function isIntegration(value: unknown): value is Integration {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
