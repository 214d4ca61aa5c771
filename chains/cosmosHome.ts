import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

// The validators' homes of a simd localnet (chains/cosmos.ts), written before any validator
// starts: `simd init` and a key each, one genesis with every account funded and each
// validator's self-delegation, and each node's config.toml and app.toml.

const run = promisify(execFile);

/** Ports of one validator, all on 127.0.0.1 and chosen by the OS. */
export interface ValidatorPorts {
  rpc: number;
  p2p: number;
  grpc: number;
}

/** One validator's home, as `simd init` made it. */
export interface ValidatorHome {
  home: string;
  /** Its account (bech32), which self-delegates. */
  address: string;
  nodeId: string;
  ports: ValidatorPorts;
}

const SELF_DELEGATION = 1_000_000_000n;

/** `simd init` of each home with a TEST-ONLY key (random, kept in the home's test keyring); validator k takes ports[3k, 3k + 3). */
export async function initHomes(simd: string, chainId: string, homes: string[], ports: number[]): Promise<ValidatorHome[]> {
  return Promise.all(
    homes.map(async (home, k) => {
      await run(simd, ["init", `val${k}`, "--chain-id", chainId, "--home", home]);
      const { stdout } = await run(simd, ["keys", "add", `val${k}`, "--keyring-backend", "test", "--home", home, "--output", "json"]);
      const { address } = JSON.parse(stdout) as { address: string };
      const { stdout: id } = await run(simd, ["comet", "show-node-id", "--home", home]);
      const [rpc, p2p, grpc] = ports.slice(3 * k, 3 * k + 3) as [number, number, number];
      return { home, address, nodeId: id.trim(), ports: { rpc, p2p, grpc } };
    }),
  );
}

export interface GenesisOptions {
  chainId: string;
  /** The staking denom. */
  denom: string;
  /** Extra genesis accounts (bech32 addresses) funded with `fundAmount`. */
  accounts?: string[];
  /** [10^15] */
  fundAmount?: bigint;
  /** x/auth max_memo_characters. [4096] */
  maxMemoCharacters?: number;
}

/** One genesis for every home: the accounts funded, parameters set, and every validator's gentx collected. */
export async function writeGenesis(simd: string, nodes: ValidatorHome[], options: GenesisOptions): Promise<void> {
  const { chainId, denom } = options;
  const homes = nodes.map((node) => node.home);
  // One genesis: every validator's account and the extra accounts funded, parameters set.
  const genesisPath = (home: string) => join(home, "config", "genesis.json");
  const genesis = JSON.parse(readFileSync(genesisPath(homes[0]!), "utf8"));
  const fund = (address: string, amount: bigint) => {
    genesis.app_state.auth.accounts.push({ "@type": "/cosmos.auth.v1beta1.BaseAccount", address, pub_key: null, account_number: "0", sequence: "0" });
    genesis.app_state.bank.balances.push({ address, coins: [{ denom, amount: amount.toString() }] });
  };
  for (const node of nodes) fund(node.address, SELF_DELEGATION * 10n);
  for (const address of options.accounts ?? []) fund(address, options.fundAmount ?? 10n ** 15n);
  genesis.app_state.bank.supply = [];
  genesis.app_state.auth.params.max_memo_characters = String(options.maxMemoCharacters ?? 4096);
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
        `${SELF_DELEGATION}${denom}`,
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
}

export interface NodeConfig {
  /** `nodeId@host:port` of every other validator. */
  peers: string[];
  /** CometBFT timeout_commit, ms. */
  blockTimeMs: number;
  /** The staking denom (zero gas price in it). */
  denom: string;
  /** CometBFT mempool size, transactions. [5000] */
  mempoolSize?: number;
}

/** A node's ports, peers and timing in its config.toml and app.toml (zero gas price, `kv` tx indexer, no pprof, no REST API). */
export function writeNodeConfig(node: ValidatorHome, options: NodeConfig): void {
  const { blockTimeMs, denom } = options;
  const configPath = join(node.home, "config", "config.toml");
  let config = readFileSync(configPath, "utf8");
  const set = (section: string, key: string, value: string) => (config = setToml(config, section, key, value));
  set("rpc", "laddr", `"tcp://127.0.0.1:${node.ports.rpc}"`);
  set("rpc", "pprof_laddr", `""`);
  set("p2p", "laddr", `"tcp://127.0.0.1:${node.ports.p2p}"`);
  set("p2p", "external_address", `"127.0.0.1:${node.ports.p2p}"`);
  set("p2p", "persistent_peers", `"${options.peers.join(",")}"`);
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
  set("mempool", "size", String(options.mempoolSize ?? 5000));
  set("instrumentation", "prometheus", "false");
  writeFileSync(configPath, config);

  const appPath = join(node.home, "config", "app.toml");
  let app = readFileSync(appPath, "utf8");
  const setApp = (section: string, key: string, value: string) => (app = setToml(app, section, key, value));
  setApp("", "minimum-gas-prices", `"0${denom}"`);
  setApp("api", "enable", "false");
  setApp("grpc", "enable", "true");
  setApp("grpc", "address", `"127.0.0.1:${node.ports.grpc}"`);
  setApp("grpc-web", "enable", "false");
  setApp("telemetry", "enabled", "false");
  writeFileSync(appPath, app);
  mkdirSync(join(node.home, "data"), { recursive: true });
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
