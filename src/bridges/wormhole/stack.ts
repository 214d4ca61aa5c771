import { CommandRelayer, type CommandRelayerConfig } from "./relayer/commandRelayer.ts";
import type { Chain } from "@wormhole-foundation/sdk-base";
import type { Address } from "viem";
import { Anvil } from "../../../chains/anvil.ts";
import { chainUrlVariable, type ChainProfile } from "../../../chains/profiles.ts";
import type { Instance } from "../../infra/instance.ts";
import { installCore } from "./core.ts";
import { contractEvidence, deployIntegration, type ContractAddresses } from "./deploy.ts";
import type { IntegrationChain } from "./integration.ts";
import { EMITTER, loadIntegration, RECEIVER, type LoadedIntegration } from "./integrationLoader.ts";
import { generateGuardianKeys } from "./guardians/guardianKeys.ts";
import { GuardianNetwork } from "./guardians/guardianNetwork.ts";
import { VaaApi } from "./guardians/vaaApi.ts";
import { ReferenceRelayer } from "./relayer/referenceRelayer.ts";
import type { ReferenceRelayerConfig } from "./relayer/config.ts";
import type { Relayer, RelayerEndpoints } from "./relayer/relayer.ts";
import { ProcessRelayer } from "./relayer/processRelayer.ts";
import { redactUrl } from "../../report/redact.ts";
import { Toxiproxy } from "../../../chains/toxiproxy.ts";

export interface StackOptions {
  /** Profiles of every chain in the run. */
  chains: ChainProfile[];
  /** Chains that send (get the integration's emitter). */
  sources: Chain[];
  /** Chains that receive (get the integration's receiver). */
  destinations: Chain[];
  /** The integration module's path. [the built-in LiquidationHub → LiquidationReceiver] */
  integration?: string;
  /** Guardian set size. */
  guardians: number;
  /** The reference relayer's preset, or an outside relayer run as a command. */
  relayer: ReferenceRelayerConfig | CommandRelayerConfig;
  /**
   * Put the guardians' and relayer's links (every chain RPC and the VAA API) behind a
   * Toxiproxy, so network faults can act on them. The harness's own watchers and the load
   * senders stay direct: measurement must not be faulted. [false]
   */
  faultProxy?: boolean;
  /** Run the relayer as its own process with this checkpoint file (so it can be killed and restarted). */
  relayerCheckpoint?: string;
  /** How long the VAA API serves a signed VAA, ms. [VAA_RETENTION_MS] */
  vaaRetentionMs?: number;
}

export interface StackChain {
  profile: ChainProfile;
  rpcUrl: string;
  anvil?: Anvil;
}

/**
 * One scenario's running parts: chains with the Wormhole core, the integration's contracts
 * (emitters on the sources, receivers on the destinations), the guardian network, its VAA API and the relayer under test. Everything it
 * starts is stopped by stop(), also when start() fails half-way.
 */
export class EvmStack {
  readonly chains = new Map<Chain, StackChain>();
  /** The integration's emitter per source chain and receiver per destination chain. */
  readonly emitters = new Map<Chain, Address>();
  readonly receivers = new Map<Chain, Address>();
  /** Every contract of the integration, per chain and name. */
  contracts: ContractAddresses = {};
  integration!: LoadedIntegration;
  /** The run's chains as the integration sees them. */
  integrationChains: Record<string, IntegrationChain> = {};
  /** What the manifest records of the integration, once deployed. */
  integrationEvidence: Record<string, unknown> | undefined;
  guardianNetwork!: GuardianNetwork;
  vaaApi!: VaaApi;
  relayer!: Relayer;
  /** The relayer when it runs as its own process. */
  relayerProcess: ProcessRelayer | undefined;
  /** The fault proxy, when `faultProxy` is on; proxies are named by fault target (a chain name or "vaa-api"). */
  toxiproxy: Toxiproxy | undefined;
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
      this.integration = await loadIntegration(this.options.integration);
      const relayer = this.options.relayer;
      if (!("command" in relayer) && relayer.batchSize > 1 && !this.integration.spec.deliverBatch) {
        throw new Error(
          `relayer preset "${relayer.name}" batches VAAs (batchSize ${relayer.batchSize}) but integration "${this.integration.name}" (${this.integration.modulePath}) has no deliverBatch; use a preset with batchSize 1 or give the integration a deliverBatch`,
        );
      }
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
      this.integrationEvidence = await this.evidence();
      // The bridge's own links: through the fault proxy when there is one.
      const link = new Map<string, string>();
      if (this.options.faultProxy) {
        this.toxiproxy = await Toxiproxy.launch();
        this.started.push(this.toxiproxy);
        for (const [name, c] of this.chains) link.set(name, await this.proxied(name, c.rpcUrl));
      }
      const rpcFor = (name: Chain) => link.get(name) ?? this.chain(name).rpcUrl;
      this.guardianNetwork = new GuardianNetwork({
        chains: this.options.sources.map((name) => {
          const c = this.chain(name);
          return { wormholeChainId: c.profile.wormholeChainId, rpcUrl: rpcFor(name), coreAddress: c.profile.coreAddress };
        }),
        guardianKeys: keys,
        vaaRetentionMs: this.options.vaaRetentionMs,
      });
      await this.launch(this.guardianNetwork);
      this.vaaApi = new VaaApi(this.guardianNetwork);
      await this.launch(this.vaaApi);
      const vaaApiUrl = this.toxiproxy ? await this.proxied("vaa-api", this.vaaApi.url) : this.vaaApi.url;
      const endpoints: RelayerEndpoints = {
        vaaApiUrl,
        sources: this.options.sources.map((name) => {
          const c = this.chain(name);
          return { wormholeChainId: c.profile.wormholeChainId, rpcUrl: rpcFor(name), coreAddress: c.profile.coreAddress, emitters: [this.emitters.get(name)!] };
        }),
        destinations: this.options.destinations.map((name) => {
          const c = this.chain(name);
          return { wormholeChainId: c.profile.wormholeChainId, evmChainId: c.profile.evmChainId, rpcUrl: rpcFor(name), receiver: this.receivers.get(name)! };
        }),
      };
      this.relayer =
        "command" in relayer
          ? new CommandRelayer(endpoints, relayer)
          : this.options.relayerCheckpoint
            ? (this.relayerProcess = new ProcessRelayer(endpoints, relayer, this.options.relayerCheckpoint, this.integration.modulePath))
            : new ReferenceRelayer(endpoints, relayer, this.integration);
      await this.launch(this.relayer);
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Process ids of everything this stack runs as a process (chains, fault proxy, relayer). */
  pids(): number[] {
    return this.started.flatMap((i) => {
      const pid = (i as { pid?: unknown }).pid;
      return typeof pid === "number" ? [pid] : [];
    });
  }

  /** Stops everything this stack started, newest first. */
  async stop(): Promise<void> {
    for (const instance of this.started.reverse()) await instance.stop().catch(() => undefined);
    this.started.length = 0;
  }

  /** A proxy named `target` in front of an http://127.0.0.1 URL; returns the URL to use instead. */
  private async proxied(target: string, url: string): Promise<string> {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" || parsed.hostname !== "127.0.0.1") {
      throw new Error(`network faults need local endpoints; ${target} is at ${redactUrl(url)} (use mode "local" or "fork" for it)`);
    }
    const listen = await this.toxiproxy!.createProxy(target, parsed.host);
    return `http://${listen}${parsed.pathname === "/" ? "" : parsed.pathname}`;
  }

  private async launch(instance: Instance): Promise<void> {
    this.started.push(instance);
    await instance.start();
  }

  private async startChain(profile: ChainProfile): Promise<void> {
    if (profile.mode === "remote") {
      const url = requiredUrl(profile, "remote");
      this.chains.set(profile.name, { profile, rpcUrl: url });
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
    this.chains.set(profile.name, { profile, rpcUrl: anvil.rpcUrl, anvil });
  }

  private async deployContracts(): Promise<void> {
    const { sources, destinations } = this.options;
    const chains = [...this.chains.values()].map(({ profile, rpcUrl }) => ({
      rpcUrl,
      chain: {
        name: profile.name,
        wormholeChainId: profile.wormholeChainId,
        evmChainId: profile.evmChainId,
        coreAddress: profile.coreAddress,
        isSource: sources.includes(profile.name),
        isDestination: destinations.includes(profile.name),
      },
    }));
    this.integrationChains = Object.fromEntries(chains.map((c) => [c.chain.name, c.chain]));
    this.contracts = await deployIntegration(this.integration, chains);
    for (const name of sources) this.emitters.set(name, this.contracts[name]![EMITTER]!);
    for (const name of destinations) this.receivers.set(name, this.contracts[name]![RECEIVER]!);
  }

  /** What the manifest records of the integration: its module and hash, and each contract's address and deployed-bytecode hash per chain. */
  private async evidence(): Promise<Record<string, unknown>> {
    return {
      name: this.integration.name,
      module: this.integration.modulePath,
      sha256: this.integration.sha256,
      contracts: await contractEvidence(this.contracts, (name) => this.chain(name as Chain).rpcUrl),
    };
  }
}

function requiredUrl(profile: ChainProfile, mode: "fork" | "remote"): string {
  const variable = chainUrlVariable(profile.name, mode);
  const url = process.env[variable];
  if (!url) throw new Error(`chain ${profile.name} is in ${mode} mode but ${variable} is not set; set it to an RPC URL or use mode "local"`);
  return url;
}
