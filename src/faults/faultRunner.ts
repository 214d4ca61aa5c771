import type { GuardianNetwork } from "../bridge/guardianNetwork.ts";
import type { CosmosLocalnet } from "../../chains/cosmos.ts";
import type { Ledger } from "../measure/ledger.ts";
import { NETWORK_FAULTS, type FaultSpec } from "./faults.ts";
import { faultLabel, type FaultEvent } from "../measure/faultEvents.ts";
import type { Toxic, Toxiproxy } from "../../chains/toxiproxy.ts";
import { rpc } from "../infra/rpc.ts";
import type { ProcessRelayer } from "../relayer/processRelayer.ts";
import { encodeFunctionData, type Address } from "viem";
import { WalletPool } from "../../chains/walletPool.ts";
import { roleKeys, ACCOUNT_ROLES } from "../../chains/devAccounts.ts";
import { gasBurnerAbi } from "../../fixtures/contracts/artifacts/index.ts";

/** Faults that happen at one moment and have nothing to heal. */
const MOMENTARY = new Set<FaultSpec["kind"]>(["reorg"]);

type NetworkFault = Extract<FaultSpec, { kind: "rpc-latency" | "rpc-bandwidth" | "rpc-timeout" | "rpc-reset" | "rpc-outage" }>;

export interface FaultChain {
  /** Direct RPC URL (never through the fault proxy). */
  rpcUrl: string;
  /** Normal block time. */
  blockTimeMs: number;
  evmChainId: number;
  gasLimit: bigint;
  /** The GasBurner congestion faults call (deployed when the scenario has one for this chain). */
  gasBurner?: Address;
  /** Sets the block time of a chain the harness's block clock mines (see chains/blockClock.ts); else block-time mines by hand. */
  setBlockTime?: (ms: number) => void;
}

export interface FaultTargets {
  /** The guardian network (Wormhole runs). */
  guardians?: GuardianNetwork;
  /** Cosmos localnets by chain id (cosmos and ibc runs). */
  localnets?: Map<string, CosmosLocalnet>;
  /** The fault proxy in front of the bridge's links (proxies named by target), when network faults are scheduled. */
  toxiproxy?: Toxiproxy;
  /** The relayer, when it runs as its own process (needed for relayer-restart). */
  relayerProcess?: ProcessRelayer;
  /** Each EVM chain as faults on the chain itself need it. */
  chains?: Map<string, FaultChain>;
  /**
   * Runs a reorg of a chain (`reorg` resolves with the first replaced block) with whatever
   * must hold still around it (senders), and finds what it rolled back; returns a summary
   * for events.csv. Without it the reorg just runs.
   */
  aroundReorg?: (chain: string, reorg: () => Promise<bigint>) => Promise<string>;
}

/**
 * Applies each fault at its time on the run clock and heals it `for` later, logging both.
 * stop() heals whatever is still active, so a run never ends with a fault left behind.
 */
export class FaultRunner {
  readonly events: FaultEvent[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly active = new Set<FaultSpec>();

  /** `random` draws delay jitter: pass a seeded one so the same seed gives the same faults. */
  constructor(
    private readonly faults: FaultSpec[],
    private readonly targets: FaultTargets,
    private readonly ledger: Ledger,
    private readonly random: () => number,
  ) {}

  private stopped = false;

  /** Schedules the faults once the run clock starts: a fault's `at` counts from stage 0's start. */
  start(): void {
    this.ledger.whenStarted(() => {
      if (this.stopped) return;
      for (const fault of this.faults) {
        const from = (s: number) => Math.max(0, s * 1000 - this.ledger.elapsed());
        this.timers.push(setTimeout(() => this.apply(fault), from(fault.atS)));
        if (!MOMENTARY.has(fault.kind)) this.timers.push(setTimeout(() => this.heal(fault), from(fault.atS + fault.forS)));
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    for (const fault of [...this.active]) this.heal(fault);
    await this.settled();
    for (const timer of this.holders.values()) clearInterval(timer);
    for (const { timer } of this.background.values()) clearInterval(timer);
    // Hand back block production to anvil (whole seconds at most) so the drain sweep still sees blocks.
    for (const [name, timer] of this.handMined) {
      clearInterval(timer);
      const chain = this.targets.chains!.get(name)!;
      await rpc(chain.rpcUrl, "evm_setIntervalMining", [Math.max(1, Math.round(chain.blockTimeMs / 1000))]).catch(() => undefined);
    }
    this.handMined.clear();
  }

  private log(event: FaultEvent["event"], fault: FaultSpec, detail = ""): void {
    this.events.push({ at: this.ledger.elapsed(), event, kind: fault.kind, fault: detail ? `${faultLabel(fault)}: ${detail}` : faultLabel(fault) });
  }

  /** Resolves when every fault change asked for so far has taken effect. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private readonly pending = new Set<Promise<void>>();

  private track(change: Promise<void>, fault: FaultSpec): void {
    const tracked = change.catch((err) => this.log("fault-error", fault, (err as Error).message));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  private apply(fault: FaultSpec): void {
    const momentary = MOMENTARY.has(fault.kind);
    if (!momentary) this.active.add(fault);
    this.track(
      this.set(fault, true).then((detail) => this.log(momentary ? "fault" : "fault-start", fault, detail ?? "")),
      fault,
    );
  }

  private heal(fault: FaultSpec): void {
    if (!this.active.delete(fault)) return;
    this.track(
      this.set(fault, false).then((detail) => this.log("fault-end", fault, detail ?? "")),
      fault,
    );
  }

  // biome-ignore lint/suspicious/noConfusingVoidType: a detail for the event log, or nothing (the fault setters return void)
  private async set(fault: FaultSpec, on: boolean): Promise<string | void> {
    if (NETWORK_FAULTS.has(fault.kind)) return this.setNetwork(fault as NetworkFault, on);
    if (fault.kind === "reorg") return this.reorg(fault);
    if (fault.kind === "congestion") return this.congest(fault, on);
    if (fault.kind === "validators-offline" || fault.kind === "validators-partition") {
      const net = this.targets.localnets?.get(fault.target);
      if (!net) throw new Error(`no Cosmos localnet ${fault.target} in this run`);
      // The last `count` validators, like guardians: the same scenario always hits the same ones.
      const hit = net.validators.slice(Math.max(0, net.validators.length - fault.count));
      const names = hit.map((v) => v.name).join(", ");
      if (fault.kind === "validators-partition") {
        await net.cutOff(
          hit.map((v) => v.index),
          on,
        );
        return `${names} ${on ? "cut off from" : "reconnected to"} the others`;
      }
      await Promise.all(hit.map((v) => (on ? v.stop() : v.start())));
      return `${names} ${on ? "stopped" : "started"}`;
    }
    if (fault.kind === "gas-spike" || fault.kind === "block-time") return this.setChain(fault, on);
    if (fault.kind === "relayer-restart") {
      const relayer = this.targets.relayerProcess;
      if (!relayer) throw new Error("the relayer does not run as its own process in this stack");
      return on ? relayer.kill() : relayer.start();
    }
    const network = this.targets.guardians;
    if (!network) throw new Error(`${fault.kind} needs the Wormhole guardian network`);
    const all = network.guardians;
    const last = (count: number) => all.slice(Math.max(0, all.length - count));
    switch (fault.kind) {
      case "guardians-offline":
        for (const g of last(fault.count)) g.online = !on;
        break;
      case "guardian-delay":
        for (const g of last(fault.count)) g.observationDelayMs = on ? () => fault.ms + this.random() * fault.jitterMs : () => 0;
        break;
      case "guardians-withhold":
        for (const g of last(fault.count)) on ? network.withholding.add(g.index) : network.withholding.delete(g.index);
        break;
      case "gossip-partition": {
        const split = fault.split ?? Math.floor(all.length / 2);
        const indices = all.map((g) => g.index);
        network.partition(on ? [indices.slice(0, split), indices.slice(split)] : undefined);
        break;
      }
    }
  }

  /** Timers that hold a chain fault in place (a base fee re-set every block, blocks mined by hand). */
  private readonly holders = new Map<FaultSpec, NodeJS.Timeout>();
  /** Chains whose blocks this runner mines by hand (see block-time). */
  private readonly handMined = new Map<string, NodeJS.Timeout>();

  private async setChain(fault: Extract<FaultSpec, { kind: "gas-spike" | "block-time" }>, on: boolean): Promise<void> {
    const chain = this.targets.chains?.get(fault.target);
    if (!chain) throw new Error(`no chain ${fault.target} in this stack`);
    clearInterval(this.holders.get(fault));
    this.holders.delete(fault);
    if (fault.kind === "gas-spike") {
      if (!on) return; // the base fee falls back by itself, 12.5 % a block, as on Ethereum
      const fee = `0x${(BigInt(Math.round(fault.gwei * 1e9))).toString(16)}`;
      const hold = () => rpc(chain.rpcUrl, "anvil_setNextBlockBaseFeePerGas", [fee]).catch(() => undefined);
      await hold();
      this.holders.set(fault, setInterval(hold, Math.max(20, chain.blockTimeMs / 4)));
      return;
    }
    if (chain.setBlockTime) chain.setBlockTime(on ? fault.ms : chain.blockTimeMs);
    else await this.mineEvery(fault.target, chain.rpcUrl, on ? fault.ms : chain.blockTimeMs);
  }

  /** Background senders of congestion faults, by fault. */
  private readonly background = new Map<FaultSpec, { timer: NodeJS.Timeout; sent: number; refused: number }>();

  /**
   * Every block interval, the background accounts send GasBurner calls worth `share` of the
   * block gas limit, tipping `priorityGwei` with max fee `maxFeeGwei`. anvil picks pending
   * transactions by max fee per gas, so the max fee decides who waits. At the heal they stop
   * sending; whatever they queued beyond the block space still drains, as a real backlog does.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a detail for the event log, or nothing (the fault setters return void)
  private async congest(fault: Extract<FaultSpec, { kind: "congestion" }>, on: boolean): Promise<string | void> {
    const running = this.background.get(fault);
    if (running) {
      clearInterval(running.timer);
      this.background.delete(fault);
    }
    if (!on) return running ? `${running.sent} background transactions sent, ${running.refused} refused` : undefined;
    const chain = this.targets.chains?.get(fault.target);
    if (!chain?.gasBurner) throw new Error(`no GasBurner deployed on ${fault.target}`);
    const pool = new WalletPool({
      rpcUrl: chain.rpcUrl,
      chainId: chain.evmChainId,
      privateKeys: roleKeys("background", ACCOUNT_ROLES.background.max),
      maxFeeGwei: fault.maxFeeGwei,
      priorityFeeGwei: fault.priorityGwei,
    });
    await pool.init();
    const perBlock = BigInt(Math.round(Number(chain.gasLimit) * fault.share));
    // Transactions of at most 5 M gas, so several accounts share the load and blocks pack well.
    const count = Number((perBlock + 4_999_999n) / 5_000_000n);
    const gas = perBlock / BigInt(count);
    const data = encodeFunctionData({ abi: gasBurnerAbi, functionName: "burn" });
    const state = { timer: undefined as unknown as NodeJS.Timeout, sent: 0, refused: 0 };
    const tick = () => {
      for (let i = 0; i < count; i++) {
        pool.send(chain.gasBurner!, data, gas).then(
          () => state.sent++,
          () => state.refused++,
        );
      }
    };
    tick();
    state.timer = setInterval(tick, chain.blockTimeMs);
    this.background.set(fault, state);
    return `${count} transactions of ${gas} gas a block`;
  }

  /**
   * Replaces the chain's last `depth` blocks with empty ones at the same heights
   * (anvil_reorg): their transactions are gone, and nonces and the core's sequences roll back.
   */
  private async reorg(fault: Extract<FaultSpec, { kind: "reorg" }>): Promise<string> {
    const chain = this.targets.chains?.get(fault.target);
    if (!chain) throw new Error(`no chain ${fault.target} in this stack`);
    let replaced = "";
    const reorg = async () => {
      const head = BigInt(await rpc<string>(chain.rpcUrl, "eth_blockNumber", []));
      const from = head - BigInt(fault.depth) + 1n;
      if (from < 1n) throw new Error(`chain ${fault.target} has only ${head} blocks, fewer than depth ${fault.depth}`);
      await rpc(chain.rpcUrl, "anvil_reorg", [fault.depth, []]);
      replaced = `blocks ${from}–${head} replaced`;
      return from;
    };
    const found = this.targets.aroundReorg ? await this.targets.aroundReorg(fault.target, reorg) : (await reorg(), "");
    return found ? `${replaced}; ${found}` : replaced;
  }

  /**
   * anvil's evm_setIntervalMining takes whole seconds only, so block times are kept by
   * mining on a timer (interval mining off) once a block-time fault touched the chain,
   * until the runner stops.
   */
  private async mineEvery(name: string, rpcUrl: string, ms: number): Promise<void> {
    clearInterval(this.handMined.get(name));
    await rpc(rpcUrl, "evm_setIntervalMining", [0]);
    this.handMined.set(
      name,
      setInterval(() => void rpc(rpcUrl, "evm_mine", []).catch(() => undefined), ms),
    );
  }

  private async setNetwork(fault: NetworkFault, on: boolean): Promise<void> {
    const proxy = this.targets.toxiproxy;
    if (!proxy) throw new Error("no fault proxy in this stack");
    if (fault.kind === "rpc-outage") return proxy.setEnabled(fault.target, !on);
    const name = `${fault.kind}-${fault.atS}`;
    if (!on) return proxy.removeToxic(fault.target, name);
    await proxy.addToxic(fault.target, toxicFor(fault, name));
  }
}

/**
 * The Toxiproxy toxic that models a network fault. Latency holds requests (upstream): a
 * transaction then reaches the node `ms` later, which is what delays a delivery; holding
 * only the answer would leave the transaction on time. Bandwidth throttles answers.
 */
function toxicFor(fault: Exclude<NetworkFault, { kind: "rpc-outage" }>, name: string): Toxic {
  const base = { name, stream: "downstream" as const };
  switch (fault.kind) {
    case "rpc-latency":
      return { ...base, stream: "upstream", type: "latency", attributes: { latency: fault.ms, jitter: fault.jitterMs } };
    case "rpc-bandwidth":
      return { ...base, type: "bandwidth", attributes: { rate: fault.kbps } };
    case "rpc-timeout":
      return { ...base, type: "timeout", attributes: { timeout: fault.ms } };
    case "rpc-reset":
      return { ...base, type: "reset_peer", attributes: { timeout: fault.ms } };
  }
}
