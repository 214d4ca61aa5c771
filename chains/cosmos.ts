import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { reservePorts } from "../src/infra/freePort.ts";
import { InstanceError, ProcessInstance } from "../src/infra/instance.ts";
import { Lifecycle, LifecycleInstance } from "../src/infra/lifecycle.ts";
import { initHomes, type ValidatorPorts, writeGenesis, writeNodeConfig } from "./cosmosHome.ts";
import { toolPath } from "./tools.ts";
import type { Toxiproxy } from "./toxiproxy.ts";

export interface CosmosLocalnetOptions {
  /** Chain id, e.g. "stress-a". */
  chainId: string;
  /** Validators, each its own process and home. [4] */
  validators?: number;
  /** CometBFT timeout_commit: the pause after each block, ms. [500] */
  blockTimeMs?: number;
  /** Extra genesis accounts (bech32 addresses) funded with `fundAmount`. */
  accounts?: string[];
  /** Amount of the staking denom each extra account gets. [10^15] */
  fundAmount?: bigint;
  /** x/auth max_memo_characters (the SDK default is 256). [4096] */
  maxMemoCharacters?: number;
  /** CometBFT mempool size, transactions (CometBFT's default). [5000] */
  mempoolSize?: number;
  /** Folder for the validators' homes. [a fresh temporary folder, removed on stop] */
  home?: string;
  /**
   * Route every validator-to-validator p2p link through this fault proxy (one proxy per
   * ordered pair), so validators can be cut off from each other (`cutOff`).
   */
  p2pProxy?: Toxiproxy;
}

/** One validator: a `simd start` process with its own home. */
export class CosmosValidator extends ProcessInstance {
  constructor(
    readonly index: number,
    readonly home: string,
    readonly ports: ValidatorPorts,
    readonly nodeId: string,
  ) {
    super({
      name: `simd:val${index}`,
      command: toolPath("simd"),
      args: ["start", "--home", home, "--log_level", "warn", "--log_no_color"],
      // Readiness of the whole net is checked by the localnet (blocks signed by everyone).
      startTimeoutMs: 30_000,
    });
  }

  get rpcUrl(): string {
    return `http://127.0.0.1:${this.ports.rpc}`;
  }
}

/** How long the whole net may take to come up: homes, genesis, every validator started and signing (SIGN_TIMEOUT_MS of it). */
const START_TIMEOUT_MS = 180_000;
/** How long the validators may take to sign their first blocks once started. */
const SIGN_TIMEOUT_MS = 60_000;

/** The staking denom of simd. */
export const DENOM = "stake";

/**
 * N validators of a Cosmos SDK chain (simd of ibc-go v8: SDK 0.50, CometBFT 0.38, IBC) on
 * 127.0.0.1 only. Homes are made with `simd init` and `genesis gentx` / `collect-gentxs`;
 * the genesis accounts and parameters and every port are written here. Zero gas price,
 * `kv` tx indexer, no pprof, no REST API. Ready once every validator signed a block.
 */
export class CosmosLocalnet extends LifecycleInstance {
  readonly name: string;
  readonly validators: CosmosValidator[] = [];
  private home = "";
  private releasePorts: (() => Promise<void>) | undefined;
  private ownsHome = false;
  protected readonly life: Lifecycle;

  constructor(readonly options: CosmosLocalnetOptions) {
    super();
    this.name = `cosmos:${options.chainId}`;
    this.life = new Lifecycle({
      name: this.name,
      start: (signal) => this.bringUp(signal),
      stop: () => this.takeDown(),
      logs: () => this.logs(),
      startTimeoutMs: START_TIMEOUT_MS,
    });
  }

  /** RPC of validator 0: where clients send. */
  get rpcUrl(): string {
    return this.validators[0]!.rpcUrl;
  }

  /** gRPC of validator 0 (host:port). */
  get grpcAddress(): string {
    return `127.0.0.1:${this.validators[0]!.ports.grpc}`;
  }

  get homeDir(): string {
    return this.home;
  }

  logs(): string[] {
    return this.validators.flatMap((v) => v.logs().map((line) => `${v.name}: ${line}`));
  }

  private async bringUp(signal: AbortSignal): Promise<void> {
    await this.init();
    signal.throwIfAborted();
    await this.releasePorts?.();
    await Promise.all(this.validators.map((v) => v.start()));
    signal.throwIfAborted();
    await this.waitUntilAllSign(SIGN_TIMEOUT_MS, signal);
  }

  private async takeDown(): Promise<void> {
    await this.releasePorts?.();
    this.releasePorts = undefined;
    await Promise.all(this.validators.map((v) => v.stop()));
    if (this.ownsHome && this.home) rmSync(this.home, { recursive: true, force: true });
  }

  /** Latest height each validator reports (undefined where it does not answer). */
  async heights(): Promise<Array<number | undefined>> {
    return Promise.all(
      this.validators.map(async (v) => {
        try {
          const status = await cometRpc<{ sync_info: { latest_block_height: string } }>(v.rpcUrl, "status");
          return Number(status.sync_info.latest_block_height);
        } catch {
          return undefined;
        }
      }),
    );
  }

  /** Highest minus lowest height among the validators that answer: how far apart they are. */
  async heightSkew(): Promise<number> {
    return heightSpread(await this.heights());
  }

  private linkName(from: number, to: number): string {
    return `${this.options.chainId}-p2p-${from}-${to}`;
  }

  /**
   * Cuts the validators `indices` off from the others (both directions of every link
   * between the two groups go down, open connections dropped), or heals it. Needs `p2pProxy`.
   */
  async cutOff(indices: number[], cut: boolean): Promise<void> {
    const proxy = this.options.p2pProxy;
    if (!proxy) throw new Error(`${this.name} was started without a p2p fault proxy`);
    const inside = new Set(indices);
    const links: Promise<void>[] = [];
    for (const a of this.validators) {
      for (const b of this.validators) {
        if (a !== b && inside.has(a.index) !== inside.has(b.index)) links.push(proxy.setEnabled(this.linkName(a.index, b.index), !cut));
      }
    }
    await Promise.all(links);
  }

  private async init(): Promise<void> {
    const { chainId, validators = 4, blockTimeMs = 500 } = this.options;
    if (!Number.isInteger(validators) || validators < 1) throw new Error(`validators: ${validators}; must be a whole number ≥ 1`);
    this.ownsHome = !this.options.home;
    this.home = this.options.home ?? mkdtempSync(join(tmpdir(), `bridge-stress-${chainId}-`));
    const simd = toolPath("simd");
    const homes = Array.from({ length: validators }, (_, k) => join(this.home, `val${k}`));

    // Every port is held until the validators start, so the fault proxy's listeners (port 0)
    // and other localnets cannot be handed one of them in between.
    const reserved = await reservePorts(3 * validators);
    this.releasePorts = reserved.release;
    const nodes = await initHomes(simd, chainId, homes, reserved.ports);
    const { accounts, fundAmount, maxMemoCharacters, mempoolSize } = this.options;
    await writeGenesis(simd, nodes, { chainId, denom: DENOM, accounts, fundAmount, maxMemoCharacters });

    // Ports, peers and timing. Through the fault proxy, node k reaches node j at its own
    // proxy for the link k → j.
    const proxy = this.options.p2pProxy;
    const peersOf = await Promise.all(
      nodes.map(async (_, k) => {
        const peers: string[] = [];
        for (const [j, n] of nodes.entries()) {
          if (j === k) continue;
          const address = proxy ? await proxy.createProxy(this.linkName(k, j), `127.0.0.1:${n.ports.p2p}`) : `127.0.0.1:${n.ports.p2p}`;
          peers.push(`${n.nodeId}@${address}`);
        }
        return peers;
      }),
    );
    nodes.forEach((node, k) => {
      writeNodeConfig(node, { peers: peersOf[k]!, blockTimeMs, denom: DENOM, mempoolSize });
      this.validators.push(new CosmosValidator(k, node.home, node.ports, node.nodeId));
    });
  }

  /** Ready when every validator answers and each has signed at least one committed block. */
  private async waitUntilAllSign(timeoutMs: number, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const n = this.validators.length;
    const signers = new Set<string>();
    let checked = 0;
    let last = "no answer yet";
    while (Date.now() < deadline) {
      signal.throwIfAborted();
      for (const v of this.validators) {
        if (v.status !== "started") throw new InstanceError(this.name, `${v.name} stopped while the net was starting`, v.logs());
      }
      try {
        const heights = await this.heights();
        const top = Math.min(...heights.map((h) => h ?? 0));
        // The commit of height h (in block h + 1) lists who signed h.
        for (let h = checked + 1; h < top; h++) {
          const commit = await cometRpc<{ signed_header: { commit: { signatures: Array<{ block_id_flag: number; validator_address: string }> } } }>(
            this.rpcUrl,
            `commit?height=${h}`,
          );
          for (const s of commit.signed_header.commit.signatures) if (s.block_id_flag === 2) signers.add(s.validator_address);
          checked = h;
        }
        if (signers.size === n && heights.every((h) => h !== undefined)) return;
        last = `heights ${heights.map((h) => h ?? "-").join(", ")}; ${signers.size} of ${n} validators signed so far`;
      } catch (err) {
        last = (err as Error).message;
      }
      await sleep(100);
    }
    throw new InstanceError(this.name, `not every validator signed a block within ${timeoutMs} ms (${last})`, this.logs().slice(-40));
  }
}

/** Highest minus lowest of the heights known (validators that did not answer are left out). */
export function heightSpread(heights: Array<number | undefined>): number {
  const known = heights.filter((h): h is number => h !== undefined);
  return known.length ? Math.max(...known) - Math.min(...known) : 0;
}

/** GET on a CometBFT RPC endpoint (`status`, `block?height=5`, …); returns `result`. */
export async function cometRpc<T>(rpcUrl: string, path: string): Promise<T> {
  const response = await fetch(`${rpcUrl}/${path}`, { signal: AbortSignal.timeout(10_000) });
  const body = (await response.json()) as { result?: T; error?: { message: string; data?: string } };
  if (body.error) throw new Error(`${path}: ${body.error.message}${body.error.data ? `: ${body.error.data}` : ""}`);
  return body.result as T;
}
