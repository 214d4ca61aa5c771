import { decodeFunctionResult, encodeDeployData, encodeFunctionData, keccak256, type Address, type Hex } from "viem";
import { rpc } from "../../infra/rpc.ts";
import { ACCOUNT_ROLES, devPrivateKey } from "../../../chains/devAccounts.ts";
import { privateKeyToAccount } from "viem/accounts";
import { gasBurnerAbi, gasBurnerBytecode } from "../../../fixtures/contracts/artifacts/index.ts";
import type { IntegrationChain, IntegrationContext, SetupContext } from "./integration.ts";
import { deployableBytecode, EMITTER, IntegrationError, RECEIVER, type LoadedIntegration } from "./integrationLoader.ts";
import { toEmitterAddress } from "./vaa.ts";

type Receipt = { status: Hex; contractAddress: Address | null };

/** The deployer: its own dev account, so senders and relayer wallets keep clean nonces. */
function deployer(): Address {
  return privateKeyToAccount(devPrivateKey(ACCOUNT_ROLES.deployer.first)).address;
}

/** Sends from the (unlocked, TEST-ONLY) deployer account and waits for the receipt; a revert is replayed for its reason. */
async function transact(rpcUrl: string, tx: { to?: Address; data: Hex; value?: bigint }, what: string): Promise<Receipt & { hash: Hex }> {
  const call = { from: deployer(), gas: "0x4c4b40", ...tx, value: tx.value ? `0x${tx.value.toString(16)}` : undefined };
  const hash = await rpc<Hex>(rpcUrl, "eth_sendTransaction", [call]);
  for (let waited = 0; waited < 30_000; waited += 50) {
    const receipt = await rpc<Receipt | null>(rpcUrl, "eth_getTransactionReceipt", [hash]);
    if (receipt) {
      if (receipt.status !== "0x1") {
        const reason = await rpc(rpcUrl, "eth_call", [call, "latest"]).then(
          () => "passes when replayed",
          (err: Error) => err.message.replace(/^eth_call: /, ""),
        );
        throw new Error(`${what}: transaction ${hash} reverted (${reason})`);
      }
      return { ...receipt, hash };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what}: transaction ${hash} not mined within 30 s`);
}

async function deploy(rpcUrl: string, data: Hex, what: string): Promise<Address> {
  const receipt = await transact(rpcUrl, { data }, what);
  if (!receipt.contractAddress) throw new Error(`${what}: no contract address in the receipt`);
  return receipt.contractAddress;
}

/** Deploys the GasBurner that congestion faults fill blocks with. */
export function deployGasBurner(rpcUrl: string): Promise<Address> {
  return deploy(rpcUrl, encodeDeployData({ abi: gasBurnerAbi, bytecode: gasBurnerBytecode }), "deploy GasBurner");
}

/** One chain an integration is deployed on. */
export interface DeployChain {
  chain: IntegrationChain;
  rpcUrl: string;
}

/** Per chain name, per contract name: the address. */
export type ContractAddresses = Record<string, Record<string, Address>>;

/**
 * Puts an integration on its chains: its own contracts first (in the order declared), then the
 * emitter on every source chain, then the receiver on every destination chain (so a receiver's
 * constructor may take the emitters), each deployed from its artifact or taken at its address;
 * then its setup, once per chain.
 */
export async function deployIntegration(integration: LoadedIntegration, chains: DeployChain[]): Promise<ContractAddresses> {
  const contracts: ContractAddresses = Object.fromEntries(chains.map((c) => [c.chain.name, {}]));
  const all = Object.fromEntries(chains.map((c) => [c.chain.name, c.chain]));
  const context = (chain: IntegrationChain): IntegrationContext => ({
    chain,
    chains: all,
    contracts,
    emitters: chains.flatMap(({ chain: c }) => {
      const address = contracts[c.name]?.[EMITTER];
      return address ? [{ chain: c.name, wormholeChainId: c.wormholeChainId, address, emitterAddress: toEmitterAddress(address) }] : [];
    }),
  });
  const where = (field: string) => `"${integration.name}" (${integration.modulePath}), ${field}`;
  const groups = [
    integration.contracts.filter((c) => c.name !== EMITTER && c.name !== RECEIVER),
    ...[EMITTER, RECEIVER].map((n) => integration.contracts.filter((c) => c.name === n)),
  ];
  for (const group of groups) {
    await Promise.all(
      chains.map(async ({ chain, rpcUrl }) => {
        for (const c of group) {
          if (!(c.on === "all" || (c.on === "sources" ? chain.isSource : chain.isDestination))) continue;
          const field = c.name === EMITTER || c.name === RECEIVER ? c.name : `contracts.${c.name}`;
          const ctx = context(chain);
          const given = typeof c.spec.address === "function" ? c.spec.address(ctx) : c.spec.address;
          if (given) {
            const code = await rpc<Hex>(rpcUrl, "eth_getCode", [given, "latest"]);
            if (code === "0x")
              throw new IntegrationError(
                where(`${field}.address`),
                `no contract at ${given} on ${chain.name}; deploy it there first or give an artifact to deploy`,
              );
            contracts[chain.name]![c.name] = given;
            continue;
          }
          const bytecode = deployableBytecode(c.artifact, where(`${field}.artifact`));
          let data: Hex;
          try {
            data = encodeDeployData({ abi: c.artifact.abi, bytecode, args: [...((await c.spec.args?.(ctx)) ?? [])] });
          } catch (err) {
            throw new IntegrationError(where(`${field}.args`), `do not fit the constructor: ${(err as Error).message.split("\n")[0]}`);
          }
          try {
            contracts[chain.name]![c.name] = await deploy(rpcUrl, data, `deploy ${c.name} on ${chain.name}`);
          } catch (err) {
            throw new IntegrationError(where(field), `${(err as Error).message}; check the constructor arguments (${field}.args) against its requirements`);
          }
        }
      }),
    );
  }
  if (integration.spec.setup) {
    for (const { chain, rpcUrl } of chains) {
      const ctx: SetupContext = {
        ...context(chain),
        write: async (contract, functionName, args = [], value) => {
          const to = addressOf(contracts, chain.name, contract, where("setup"));
          const data = encodeCall(integration, contract, functionName, args, where("setup"));
          return (await transact(rpcUrl, { to, data, value }, `setup: ${contract}.${functionName} on ${chain.name}`)).hash;
        },
        read: (contract, functionName, args = []) =>
          readContract(integration, rpcUrl, addressOf(contracts, chain.name, contract, where("setup")), contract, functionName, args),
      };
      await integration.spec.setup(ctx);
    }
  }
  return contracts;
}

function addressOf(contracts: ContractAddresses, chain: string, contract: string, where: string): Address {
  const address = contracts[chain]?.[contract];
  if (!address) throw new IntegrationError(where, `no contract "${contract}" on ${chain}; it has ${Object.keys(contracts[chain] ?? {}).join(", ") || "none"}`);
  return address;
}

/** Calldata of `contract.functionName(args)`; a function its ABI lacks, or arguments that do not fit, are named. */
function encodeCall(integration: LoadedIntegration, contract: string, functionName: string, args: readonly unknown[], where: string): Hex {
  try {
    return encodeFunctionData({ abi: integration.abi(contract), functionName, args });
  } catch (err) {
    throw new IntegrationError(where, `${contract}.${functionName} with ${args.length} arguments: ${(err as Error).message.split("\n")[0]}`);
  }
}

/** Calls a view function of one of the integration's contracts. */
export async function readContract(
  integration: LoadedIntegration,
  rpcUrl: string,
  to: Address,
  contract: string,
  functionName: string,
  args: readonly unknown[],
) {
  const abi = integration.abi(contract);
  const data = encodeCall(integration, contract, functionName, args, `"${integration.name}" (${integration.modulePath})`);
  const result = await rpc<Hex>(rpcUrl, "eth_call", [{ to, data }, "latest"]);
  return decodeFunctionResult({ abi, functionName, data: result });
}

/** Evidence of what was tested: per chain and contract, its address and the keccak-256 of its deployed bytecode. */
export async function contractEvidence(contracts: ContractAddresses, rpcUrl: (chain: string) => string) {
  const out: Record<string, Record<string, { address: Address; codeKeccak256: Hex }>> = {};
  for (const [chain, named] of Object.entries(contracts)) {
    out[chain] = {};
    for (const [name, address] of Object.entries(named)) {
      out[chain][name] = { address, codeKeccak256: keccak256(await rpc<Hex>(rpcUrl(chain), "eth_getCode", [address, "latest"])) };
    }
  }
  return out;
}
