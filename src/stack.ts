import type { Chain } from "@wormhole-foundation/sdk-base";
import type { Address } from "viem";
import { Anvil } from "../chains/anvil.ts";
import { chainUrlVariable, type ChainProfile } from "../chains/profiles.ts";
import type { Instance } from "../chains/instance.ts";
import { installCore } from "./bridge/core.ts";
import { deployHub, deployReceiver, registerEmitter } from "./bridge/deploy.ts";
import { generateGuardianKeys } from "./bridge/guardianKeys.ts";
import { GuardianNetwork } from "./bridge/guardianNetwork.ts";
import { VaaApi } from "./bridge/vaaApi.ts";
import { toEmitterAddress } from "./bridge/vaa.ts";
import { ReferenceRelayer } from "./relayer/referenceRelayer.ts";
import type { ReferenceRelayerConfig } from "./relayer/config.ts";
import type { Relayer } from "./relayer/relayer.ts";
import { redactUrl } from "./report/redact.ts";

export interface StackOptions {
  /** Profiles of every chain in the run. */
  chains: ChainProfile[];
  /** Chains that send (get a LiquidationHub). */
  sources: Chain[];
  /** Chains that receive (get a LiquidationReceiver). */
  destinations: Chain[];
  /** Guardian set size. */
  guardians: number;
  relayer: ReferenceRelayerConfig;
}

export interface StackChain {
  profile: ChainProfile;
  rpcUrl: string;
  wsUrl: string;
  anvil?: Anvil;
}

/**
 * One scenario's running parts: chains with the Wormhole core, hub and receiver
 * contracts, the guardian network, its VAA API and the relayer under test. Everything it
 * starts is stopped by stop(), also when start() fails half-way.
 */
export class EvmStack {
  readonly chains = new Map<Chain, StackChain>();
  readonly hubs = new Map<Chain, Address>();
  readonly receivers = new Map<Chain, Address>();
  guardianNetwork!: GuardianNetwork;
  vaaApi!: VaaApi;
  relayer!: Relayer;
  private readonly started: Instance[] = [];

  constructor(readonly options: StackOptions) {}

  chain(name: Chain): StackChain {
    const chain = this.chains.get(name);
    if (!chain) throw new Error(`chain ${name} is not part of this stack`);
    return chain;
  }

  /** Endpoints with secrets removed, for manifests and logs. */
  endpoints(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, c] of this.chains) out[name] = redactUrl(c.rpcUrl);
    if (this.vaaApi) out.vaaApi = this.vaaApi.url;
    return out;
  }

  async start(): Promise<void> {
    try {
      await Promise.all(this.options.chains.map((profile) => this.startChain(profile)));
      const keys = generateGuardianKeys(this.options.guardians);
      await Promise.all(
        [...this.chains.values()].map(({ profile, rpcUrl }) =>
          installCore(rpcUrl, profile.coreAddress, {
            wormholeChainId: profile.wormholeChainId,
            evmChainId: profile.evmChainId,
            guardians: keys.map((k) => k.address),
          }),
        ),
      );
      await this.deployContracts();
      this.guardianNetwork = new GuardianNetwork({
        chains: this.options.sources.map((name) => {
          const c = this.chain(name);
          return { wormholeChainId: c.profile.wormholeChainId, rpcUrl: c.rpcUrl, wsUrl: c.wsUrl, coreAddress: c.profile.coreAddress };
        }),
        guardianKeys: keys,
      });
      await this.launch(this.guardianNetwork);
      this.vaaApi = new VaaApi(this.guardianNetwork);
      await this.launch(this.vaaApi);
      this.relayer = new ReferenceRelayer(
        {
          vaaApiUrl: this.vaaApi.url,
          sources: this.options.sources.map((name) => {
            const c = this.chain(name);
            return { wormholeChainId: c.profile.wormholeChainId, rpcUrl: c.rpcUrl, coreAddress: c.profile.coreAddress, emitters: [this.hubs.get(name)!] };
          }),
          destinations: this.options.destinations.map((name) => {
            const c = this.chain(name);
            return { wormholeChainId: c.profile.wormholeChainId, evmChainId: c.profile.evmChainId, rpcUrl: c.rpcUrl, receiver: this.receivers.get(name)! };
          }),
        },
        this.options.relayer,
      );
      await this.launch(this.relayer);
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Stops everything this stack started, newest first. */
  async stop(): Promise<void> {
    for (const instance of this.started.reverse()) await instance.stop().catch(() => undefined);
    this.started.length = 0;
  }

  private async launch(instance: Instance): Promise<void> {
    this.started.push(instance);
    await instance.start();
  }

  private async startChain(profile: ChainProfile): Promise<void> {
    if (profile.mode === "remote") {
      const url = requiredUrl(profile, "remote");
      this.chains.set(profile.name, { profile, rpcUrl: url, wsUrl: url.replace(/^http/, "ws") });
      return;
    }
    const anvil = new Anvil({
      name: `anvil:${profile.name}`,
      chainId: profile.evmChainId,
      blockTimeMs: profile.blockTimeMs,
      gasLimit: profile.gasLimit,
      forkUrl: profile.mode === "fork" ? requiredUrl(profile, "fork") : undefined,
    });
    await this.launch(anvil);
    this.chains.set(profile.name, { profile, rpcUrl: anvil.rpcUrl, wsUrl: anvil.wsUrl, anvil });
  }

  private async deployContracts(): Promise<void> {
    await Promise.all([
      ...this.options.sources.map(async (name) => {
        const c = this.chain(name);
        this.hubs.set(name, await deployHub(c.rpcUrl, c.profile.coreAddress));
      }),
      ...this.options.destinations.map(async (name) => {
        const c = this.chain(name);
        this.receivers.set(name, await deployReceiver(c.rpcUrl, c.profile.coreAddress));
      }),
    ]);
    for (const destination of this.options.destinations) {
      const d = this.chain(destination);
      for (const source of this.options.sources) {
        const emitter = toEmitterAddress(this.hubs.get(source)!);
        await registerEmitter(d.rpcUrl, this.receivers.get(destination)!, this.chain(source).profile.wormholeChainId, emitter);
      }
    }
  }
}

function requiredUrl(profile: ChainProfile, mode: "fork" | "remote"): string {
  const variable = chainUrlVariable(profile.name, mode);
  const url = process.env[variable];
  if (!url) throw new Error(`chain ${profile.name} is in ${mode} mode but ${variable} is not set; set it to an RPC URL or use mode "local"`);
  return url;
}

