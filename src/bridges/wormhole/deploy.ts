import { encodeDeployData, encodeFunctionData, type Address, type Hex } from "viem";
import { rpc } from "../../infra/rpc.ts";
import { ACCOUNT_ROLES, devPrivateKey } from "../../../chains/devAccounts.ts";
import { privateKeyToAccount } from "viem/accounts";
import {
  liquidationHubAbi,
  liquidationHubBytecode,
  liquidationReceiverAbi,
  liquidationReceiverBytecode,
  gasBurnerAbi,
  gasBurnerBytecode,
} from "../../../fixtures/contracts/artifacts/index.ts";

type Receipt = { status: Hex; contractAddress: Address | null };

/** The deployer: its own dev account, so senders and relayer wallets keep clean nonces. */
function deployer(): Address {
  return privateKeyToAccount(devPrivateKey(ACCOUNT_ROLES.deployer.first)).address;
}

/** Sends from the (unlocked, TEST-ONLY) deployer account and waits for the receipt. */
async function transact(rpcUrl: string, tx: { to?: Address; data: Hex }, what: string): Promise<Receipt> {
  const hash = await rpc<Hex>(rpcUrl, "eth_sendTransaction", [{ from: deployer(), gas: "0x4c4b40", ...tx }]);
  for (let waited = 0; waited < 30_000; waited += 50) {
    const receipt = await rpc<Receipt | null>(rpcUrl, "eth_getTransactionReceipt", [hash]);
    if (receipt) {
      if (receipt.status !== "0x1") throw new Error(`${what}: transaction ${hash} reverted`);
      return receipt;
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

export function deployHub(rpcUrl: string, coreAddress: Address): Promise<Address> {
  const data = encodeDeployData({ abi: liquidationHubAbi, bytecode: liquidationHubBytecode, args: [coreAddress] });
  return deploy(rpcUrl, data, "deploy LiquidationHub");
}

export function deployReceiver(rpcUrl: string, coreAddress: Address): Promise<Address> {
  const data = encodeDeployData({ abi: liquidationReceiverAbi, bytecode: liquidationReceiverBytecode, args: [coreAddress] });
  return deploy(rpcUrl, data, "deploy LiquidationReceiver");
}

/** Lets `receiver` accept messages from `emitterAddress` (32-byte form) on `emitterChain`. */
export async function registerEmitter(rpcUrl: string, receiver: Address, emitterChain: number, emitterAddress: Hex): Promise<void> {
  const data = encodeFunctionData({ abi: liquidationReceiverAbi, functionName: "registerEmitter", args: [emitterChain, emitterAddress] });
  await transact(rpcUrl, { to: receiver, data }, `register emitter ${emitterChain}/${emitterAddress} on ${receiver}`);
}

/** Deploys the GasBurner that congestion faults fill blocks with. */
export function deployGasBurner(rpcUrl: string): Promise<Address> {
  return deploy(rpcUrl, encodeDeployData({ abi: gasBurnerAbi, bytecode: gasBurnerBytecode }), "deploy GasBurner");
}
