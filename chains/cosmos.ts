import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { reservePorts } from "../src/infra/freePort.ts";
import { InstanceError, ProcessInstance, type Instance, type InstanceStatus } from "../src/infra/instance.ts";
import { toolPath } from "./tools.ts";
import type { Toxiproxy } from "./toxiproxy.ts";

const run = promisify(execFile);

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

/** Ports of one validator, all on 127.0.0.1 and chosen by the OS. */
export interface ValidatorPorts {
  rpc: number;
  p2p: number;
  grpc: number;
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

/** The staking denom of simd. */
export const DENOM = "stake";
const SELF_DELEGATION = 1_000_000_000n;

/**
 * N validators of a Cosmos SDK chain (simd of ibc-go v8: SDK 0.50, CometBFT 0.38, IBC) on
 * 127.0.0.1 only. Homes are made with `simd init` and `genesis gentx` / `collect-gentxs`;
 * the genesis accounts and parameters and every port are written here. Zero gas price,
 * `kv` tx indexer, no pprof, no REST API. Ready once every validator signed a block.
 */
export class CosmosLocalnet implements Instance {
  readonly name: string;
  status: InstanceStatus = "idle";
  readonly validators: CosmosValidator[] = [];
  private home = "";
  private releasePorts: (() => Promise<void>) | undefined;
  private ownsHome = false;

  constructor(readonly options: CosmosLocalnetOptions) {
    this.name = `cosmos:${options.chainId}`;
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

  async start(): Promise<void> {
    this.status = "starting";
    try {
      await this.init();
      await this.releasePorts?.();
      await Promise.all(this.validators.map((v) => v.start()));
      await this.waitUntilAllSign(60_000);
      this.status = "started";
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    this.status = "stopping";
    await this.releasePorts?.();
    this.releasePorts = undefined;
    await Promise.all(this.validators.map((v) => v.stop()));
    if (this.ownsHome && this.home) rmSync(this.home, { recursive: true, force: true });
    this.status = "stopped";
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
    // Homes and TEST-ONLY validator keys (random, kept in each home's test keyring).
    const nodes = await Promise.all(
      homes.map(async (home, k) => {
        await run(simd, ["init", `val${k}`, "--chain-id", chainId, "--home", home]);
        const { stdout } = await run(simd, ["keys", "add", `val${k}`, "--keyring-backend", "test", "--home", home, "--output", "json"]);
        const { address } = JSON.parse(stdout) as { address: string };
        const { stdout: id } = await run(simd, ["comet", "show-node-id", "--home", home]);
        const [rpc, p2p, grpc] = reserved.ports.slice(3 * k, 3 * k + 3) as [number, number, number];
        const ports = { rpc, p2p, grpc };
        return { home, address, nodeId: id.trim(), ports };
      }),
    );

    // One genesis: every validator's account and the extra accounts funded, parameters set.
    const genesisPath = (home: string) => join(home, "config", "genesis.json");
    const genesis = JSON.parse(readFileSync(genesisPath(homes[0]!), "utf8"));
    const fund = (address: string, amount: bigint) => {
      genesis.app_state.auth.accounts.push({ "@type": "/cosmos.auth.v1beta1.BaseAccount", address, pub_key: null, account_number: "0", sequence: "0" });
      genesis.app_state.bank.balances.push({ address, coins: [{ denom: DENOM, amount: amount.toString() }] });
    };
    for (const node of nodes) fund(node.address, SELF_DELEGATION * 10n);
    for (const address of this.options.accounts ?? []) fund(address, this.options.fundAmount ?? 10n ** 15n);
    genesis.app_state.bank.supply = [];
    genesis.app_state.auth.params.max_memo_characters = String(this.options.maxMemoCharacters ?? 4096);
    // Fast governance-free chain: short unbonding is irrelevant; keep blocks large enough for load.
    genesis.consensus = genesis.consensus ?? {};
    for (const home of homes) writeFileSync(genesisPath(home), JSON.stringify(genesis));

    // Each validator's self-delegation, collected into the final genesis on validator 0.
    await Promise.all(
      nodes.map((node, k) =>
        run(simd, [
          "genesis",
          "gentx",
          `val${k}`,
          `${SELF_DELEGATION}${DENOM}`,
          "--chain-id",
          chainId,
          "--keyring-backend",
          "test",
          "--home",
          node.home,
          "--ip",
          "127.0.0.1",
          "--p2p-port",
          String(node.ports.p2p),
        ]),
      ),
    );
    const gentxDir = join(homes[0]!, "config", "gentx");
    for (const home of homes.slice(1)) {
      const dir = join(home, "config", "gentx");
      for (const file of readdirSync(dir)) copyFileSync(join(dir, file), join(gentxDir, file));
    }
    await run(simd, ["genesis", "collect-gentxs", "--home", homes[0]!]);
    for (const home of homes.slice(1)) copyFileSync(genesisPath(homes[0]!), genesisPath(home));

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
      const configPath = join(node.home, "config", "config.toml");
      let config = readFileSync(configPath, "utf8");
      const set = (section: string, key: string, value: string) => (config = setToml(config, section, key, value));
      set("rpc", "laddr", `"tcp://127.0.0.1:${node.ports.rpc}"`);
      set("rpc", "pprof_laddr", `""`);
      set("p2p", "laddr", `"tcp://127.0.0.1:${node.ports.p2p}"`);
      set("p2p", "external_address", `"127.0.0.1:${node.ports.p2p}"`);
      set("p2p", "persistent_peers", `"${peersOf[k]!.join(",")}"`);
      set("p2p", "pex", "false");
      set("p2p", "addr_book_strict", "false");
      set("p2p", "allow_duplicate_ip", "true");
      set("consensus", "timeout_commit", `"${blockTimeMs}ms"`);
      set("consensus", "timeout_propose", `"${Math.max(300, blockTimeMs)}ms"`);
      set("consensus", "timeout_prevote", `"300ms"`);
      set("consensus", "timeout_precommit", `"300ms"`);
      // Each failed round waits longer by these deltas (CometBFT: 500 ms). After an outage of
      // seconds the rounds have piled up, and at 500 ms a round the chain took tens of seconds
      // to agree again once enough validators were back.
      set("consensus", "timeout_propose_delta", `"100ms"`);
      set("consensus", "timeout_prevote_delta", `"100ms"`);
      set("consensus", "timeout_precommit_delta", `"100ms"`);
      set("tx_index", "indexer", `"kv"`);
      set("mempool", "size", String(this.options.mempoolSize ?? 5000));
      set("instrumentation", "prometheus", "false");
      writeFileSync(configPath, config);

      const appPath = join(node.home, "config", "app.toml");
      let app = readFileSync(appPath, "utf8");
      const setApp = (section: string, key: string, value: string) => (app = setToml(app, section, key, value));
      setApp("", "minimum-gas-prices", `"0${DENOM}"`);
      setApp("api", "enable", "false");
      setApp("grpc", "enable", "true");
      setApp("grpc", "address", `"127.0.0.1:${node.ports.grpc}"`);
      setApp("grpc-web", "enable", "false");
      setApp("telemetry", "enabled", "false");
      writeFileSync(appPath, app);
      mkdirSync(join(node.home, "data"), { recursive: true });
      this.validators.push(new CosmosValidator(k, node.home, node.ports, node.nodeId));
    });
  }

  /** Ready when every validator answers and each has signed at least one committed block. */
  private async waitUntilAllSign(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const n = this.validators.length;
    const signers = new Set<string>();
    let checked = 0;
    let last = "no answer yet";
    while (Date.now() < deadline) {
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

/**
 * Sets `key = value` in a TOML text, inside `[section]` ("" for the top, before any
 * section). The key must already be there: a typo should fail loudly, not add a line.
 */
export function setToml(text: string, section: string, key: string, value: string): string {
  const lines = text.split("\n");
  let current = "";
  for (let i = 0; i < lines.length; i++) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(lines[i]!);
    if (header) {
      current = header[1]!.trim();
      continue;
    }
    if (current === section && new RegExp(`^\\s*${key.replace(/[-.]/g, "\\$&")}\\s*=`).test(lines[i]!)) {
      lines[i] = `${key} = ${value}`;
      return lines.join("\n");
    }
  }
  throw new Error(`no "${key}" in section [${section}] of the config`);
}
