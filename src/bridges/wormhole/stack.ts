import type { Chain } from "@wormhole-foundation/sdk-base";
import type { Address, Hex } from "viem";
import { Anvil, type AnvilHistory } from "../../../chains/anvil.ts";
import { chainUrlVariable, type ChainProfile, ChainConfigError } from "../../../chains/profiles.ts";
import type { Instance } from "../../infra/instance.ts";
import { RelayerPresetError } from "../../engine/bridge.ts";
import { installCore, overrideGuardianSet, readExistingCore, type ExistingCore } from "./core.ts";
import { rpc } from "../../infra/rpc.ts";
import { contractEvidence, deployIntegration, type ContractAddresses } from "./deploy.ts";
import type { IntegrationChain } from "./integration.ts";
import { EMITTER, loadIntegration, RECEIVER, type LoadedIntegration } from "./integrationLoader.ts";
import { generateGuardianKeys } from "./guardians/guardianKeys.ts";
import { GuardianNetwork, type GuardianBehaviour } from "./guardians/guardianNetwork.ts";
import { openGuardianLinks, type GuardianLink } from "./guardianViews.ts";
import { VaaApi } from "./guardians/vaaApi.ts";
import type { RelayerChoice } from "./relayer/kinds/index.ts";
import type { Relayer, RelayerEndpoints } from "./relayer/relayer.ts";
import { ProcessRelayer } from "./relayer/processRelayer.ts";
import { redactUrl } from "../../report/redact.ts";
import { Toxiproxy } from "../../../chains/toxiproxy.ts";
import { BlockClock } from "../../../chains/blockClock.ts";

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
  /** The relayer under test: its kind and how it is made (chooseRelayer, relayer/kinds/). */
  relayer: RelayerChoice;
  /**
   * Put the guardians' and relayer's links (every chain RPC and the VAA API) behind a
   * Toxiproxy, so network faults can act on them. The harness's own watchers and the load
   * senders stay direct: measurement must not be faulted. [false]
   */
  faultProxy?: boolean;
  /** How long the VAA API serves a signed VAA, ms. [VAA_RETENTION_MS] */
  vaaRetentionMs?: number;
  /** publishMessage fee to set, wei. [0 on an installed core; an existing core keeps its own] */
  messageFee?: bigint;
  /** How the guardians gossip and re-observe (from the scenario's `guardianNetwork`). [immediate gossip, one place, no re-observation] */
  network?: GuardianBehaviour;
  /** What each local chain keeps of its past (longRuns.ts chainHistory). [anvil's own defaults] */
  history?: (profile: ChainProfile) => AnvilHistory;
  /** Guardians' own links through the fault proxy (guardianViews.ts), and their views' lags and heartbeat. [none; no lag, 1 s] */
  guardianLinks?: GuardianLink[];
  guardianViews?: { lagsMs: number[]; heartbeatMs: number };
}

export interface StackChain {
  profile: ChainProfile;
  rpcUrl: string;
  anvil?: Anvil;
  /** The URL a fork was made from, and the block it started from (its first block is the next one). */
  forkUrl?: string;
  forkBlock?: number;
  /** The core as found on the chain before the run changed it; undefined where it was installed. */
  existingCore?: ExistingCore;
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
  /** The fault proxy, when `faultProxy` is on; proxies are named by fault target (a chain name or "vaa-api"). */
  toxiproxy: Toxiproxy | undefined;
  /** Mines every chain this stack runs (not remote ones) on one clock: equal block times, same instants. */
  blockClock: BlockClock | undefined;
  /** The guardian set index the guardians sign with: the existing cores' current index, else 0. */
  guardianSetIndex = 0;
  private coresSetUp = false;
  private readonly started: Instance[] = [];

  constructor(readonly options: StackOptions) {}

  /** The relayer when it runs as its own process (relayer-restart kills and restarts it). */
  get relayerProcess(): ProcessRelayer | undefined {
    return this.relayer instanceof ProcessRelayer ? this.relayer : undefined;
  }

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
      if ((relayer.batchSize ?? 1) > 1 && !this.integration.spec.deliverBatch) {
        throw new RelayerPresetError(
          `relayer preset "${relayer.value}" batches VAAs (batchSize ${relayer.batchSize}) but integration "${this.integration.name}" (${this.integration.modulePath}) has no deliverBatch; use a preset with batchSize 1 or give the integration a deliverBatch`,
        );
      }
      await Promise.all(this.options.chains.map((profile) => this.startChain(profile)));
      const mined = [...this.chains.values()].filter((c) => c.anvil);
      if (mined.length) {
        this.blockClock = new BlockClock(mined.map((c) => ({ rpcUrl: c.rpcUrl, blockTimeMs: c.profile.blockTimeMs })));
        await this.launch(this.blockClock);
      }
      const keys = generateGuardianKeys(this.options.guardians);
      await this.setUpCores(keys.map((k) => k.address));
      await this.deployContracts();
      this.integrationEvidence = await this.integrationFacts();
      // The bridge's own links: through the fault proxy when there is one.
      const link = new Map<string, string>();
      if (this.options.faultProxy) {
        this.toxiproxy = await Toxiproxy.launch();
        this.started.push(this.toxiproxy);
        for (const [name, c] of this.chains) link.set(name, await this.proxied(name, c.rpcUrl));
      }
      const rpcFor = (name: Chain) => link.get(name) ?? this.chain(name).rpcUrl;
      const ownLinks = await openGuardianLinks(
        this.options.guardianLinks ?? [],
        (proxy, name) => this.proxied(proxy, this.chain(name as Chain).rpcUrl),
        (name) => this.chain(name as Chain).profile.wormholeChainId,
      );
      this.guardianNetwork = new GuardianNetwork({
        chains: this.options.sources.map((name) => {
          const c = this.chain(name);
          return { wormholeChainId: c.profile.wormholeChainId, rpcUrl: rpcFor(name), coreAddress: c.profile.coreAddress };
        }),
        guardianKeys: keys,
        guardianSetIndex: this.guardianSetIndex,
        vaaRetentionMs: this.options.vaaRetentionMs,
        ...this.options.network,
        views: { ...this.options.guardianViews, ownLinks },
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
      this.relayer = this.options.relayer.make(endpoints, this.integration);
      await this.launch(this.relayer);
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /**
   * The core on every chain: where one already exists (a fork or a remote node) its code and
   * state are kept and only its current guardian set is overridden with `guardians` (and its fee,
   * when the scenario sets one); elsewhere the core is installed with the same guardian set index,
   * so one VAA verifies on every chain.
   */
  private async setUpCores(guardians: Address[]): Promise<void> {
    const chains = [...this.chains.values()];
    await Promise.all(
      chains.map(async (c) => {
        if (c.profile.mode !== "local") c.existingCore = await readExistingCore(c.rpcUrl, c.profile.coreAddress);
      }),
    );
    const existing = chains.filter((c) => c.existingCore);
    const indices = new Set(existing.map((c) => c.existingCore!.guardianSetIndex));
    if (indices.size > 1) {
      const found = existing.map((c) => `${c.profile.name} ${c.existingCore!.guardianSetIndex}`).join(", ");
      throw new Error(
        `the Wormhole cores found on the chains have different current guardian set indices (${found}); one set of guardians signs for every chain, so fork chains whose cores share an index`,
      );
    }
    this.guardianSetIndex = [...indices][0] ?? 0;
    this.coresSetUp = true;
    await Promise.all(
      chains.map(({ profile, rpcUrl, existingCore }) =>
        existingCore
          ? overrideGuardianSet(rpcUrl, profile.coreAddress, existingCore, guardians, this.options.messageFee)
          : installCore(rpcUrl, profile.coreAddress, {
              wormholeChainId: profile.wormholeChainId,
              evmChainId: profile.evmChainId,
              guardians,
              guardianSetIndex: this.guardianSetIndex,
              messageFee: this.options.messageFee,
            }),
      ),
    );
  }

  /** What the run found and changed on its chains, for the manifest: each core kept or installed, each fork's origin (redacted) and block. */
  evidence(): Record<string, unknown> {
    if (!this.coresSetUp) return {};
    const chains: Record<string, unknown> = {};
    for (const [name, c] of this.chains) {
      const core = c.existingCore;
      chains[name] = {
        mode: c.profile.mode,
        ...(c.forkUrl ? { forkUrl: redactUrl(c.forkUrl), forkBlock: c.forkBlock } : {}),
        core: core
          ? {
              kept: true,
              codeHash: core.codeHash,
              foundGuardianSetIndex: core.guardianSetIndex,
              foundGuardians: core.guardianCount,
              foundMessageFee: String(core.messageFee),
            }
          : { kept: false },
        messageFee: String(this.options.messageFee ?? core?.messageFee ?? 0n),
      };
    }
    return { guardianSetIndex: this.guardianSetIndex, chains };
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
      throw new ChainConfigError(`network faults need local endpoints; ${target} is at ${redactUrl(url)} (use mode "local" or "fork" for it)`);
    }
    const listen = await this.toxiproxy!.createProxy(target, parsed.host);
    return `http://${listen}${parsed.pathname === "/" ? "" : parsed.pathname}`;
  }

  private async launch(instance: Instance): Promise<void> {
    this.started.push(instance);
    await instance.start();
  }

  private async startChain(profile: ChainProfile): Promise<void> {
    if (profile.forkBlock !== undefined && profile.mode !== "fork") {
      throw new Error(`chain ${profile.name}: forkBlock ${profile.forkBlock} is for a forked chain, and ${profile.name} is in ${profile.mode} mode`);
    }
    if (profile.mode === "remote") {
      const url = requiredUrl(profile, "remote");
      this.chains.set(profile.name, { profile, rpcUrl: url });
      return;
    }
    const forkUrl = profile.mode === "fork" ? requiredUrl(profile, "fork") : undefined;
    if (forkUrl && profile.forkBlock !== undefined) {
      const head = Number(await rpc<Hex>(forkUrl, "eth_blockNumber", []));
      if (profile.forkBlock > head) {
        throw new Error(
          `chain ${profile.name}: forkBlock ${profile.forkBlock} is above the head of its origin (${redactUrl(forkUrl)} is at block ${head}); pick a block ≤ ${head}`,
        );
      }
    }
    const anvil = new Anvil({
      name: `anvil:${profile.name}`,
      chainId: profile.evmChainId,
      mining: "clock",
      gasLimit: profile.gasLimit,
      forkUrl,
      forkBlockNumber: profile.forkBlock === undefined ? undefined : BigInt(profile.forkBlock),
      history: this.options.history?.(profile),
    });
    await this.launch(anvil);
    // Without a pinned block anvil forks at the origin's head of the moment: it says which.
    const forkBlock = forkUrl
      ? (await rpc<{ forkConfig?: { forkBlockNumber?: number } }>(anvil.rpcUrl, "anvil_nodeInfo", [])).forkConfig?.forkBlockNumber
      : undefined;
    this.chains.set(profile.name, { profile, rpcUrl: anvil.rpcUrl, anvil, forkUrl, forkBlock });
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
  private async integrationFacts(): Promise<Record<string, unknown>> {
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
  if (!url) throw new ChainConfigError(`chain ${profile.name} is in ${mode} mode but ${variable} is not set; set it to an RPC URL or use mode "local"`);
  return url;
}
