import type { GuardianNetwork } from "../bridge/guardianNetwork.ts";
import type { Ledger } from "../measure/ledger.ts";
import { faultLabel, NETWORK_FAULTS, type FaultSpec } from "./faults.ts";
import type { Toxic, Toxiproxy } from "../../chains/toxiproxy.ts";
import { rpc } from "../../chains/anvil.ts";
import type { ProcessRelayer } from "../relayer/processRelayer.ts";

type NetworkFault = Extract<FaultSpec, { kind: "rpc-latency" | "rpc-bandwidth" | "rpc-timeout" | "rpc-reset" | "rpc-outage" }>;

/** One line of events.csv. */
export interface FaultEvent {
  /** ms from the run's start. */
  at: number;
  event: "fault-start" | "fault-end" | "fault-error";
  kind: string;
  fault: string;
}

export interface FaultTargets {
  guardians: GuardianNetwork;
  /** The fault proxy in front of the bridge's links (proxies named by target), when network faults are scheduled. */
  toxiproxy?: Toxiproxy;
  /** The relayer, when it runs as its own process (needed for relayer-restart). */
  relayerProcess?: ProcessRelayer;
  /** Direct RPC URL and normal block time of each chain, for faults on the chains themselves. */
  chains: Map<string, { rpcUrl: string; blockTimeMs: number }>;
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

  start(): void {
    for (const fault of this.faults) {
      this.timers.push(setTimeout(() => this.apply(fault), Math.max(0, fault.atS * 1000 - this.ledger.elapsed())));
      this.timers.push(setTimeout(() => this.heal(fault), Math.max(0, (fault.atS + fault.forS) * 1000 - this.ledger.elapsed())));
    }
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    for (const fault of [...this.active]) this.heal(fault);
    await this.settled();
    for (const timer of this.holders.values()) clearInterval(timer);
    // Hand back block production to anvil (whole seconds at most) so the drain sweep still sees blocks.
    for (const [name, timer] of this.handMined) {
      clearInterval(timer);
      const chain = this.targets.chains.get(name)!;
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
    this.active.add(fault);
    this.track(this.set(fault, true).then(() => this.log("fault-start", fault)), fault);
  }

  private heal(fault: FaultSpec): void {
    if (!this.active.delete(fault)) return;
    this.track(this.set(fault, false).then(() => this.log("fault-end", fault)), fault);
  }

  private async set(fault: FaultSpec, on: boolean): Promise<void> {
    if (NETWORK_FAULTS.has(fault.kind)) return this.setNetwork(fault as NetworkFault, on);
    if (fault.kind === "gas-spike" || fault.kind === "block-time") return this.setChain(fault, on);
    if (fault.kind === "relayer-restart") {
      const relayer = this.targets.relayerProcess;
      if (!relayer) throw new Error("the relayer does not run as its own process in this stack");
      return on ? relayer.kill() : relayer.start();
    }
    const network = this.targets.guardians;
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
    const chain = this.targets.chains.get(fault.target);
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
    await this.mineEvery(fault.target, chain.rpcUrl, on ? fault.ms : chain.blockTimeMs);
  }

  /**
   * anvil's evm_setIntervalMining takes whole seconds only, so block times are kept by
   * mining on a timer (interval mining off) once a block-time fault touched the chain,
   * until the runner stops.
   */
  private async mineEvery(name: string, rpcUrl: string, ms: number): Promise<void> {
    clearInterval(this.handMined.get(name));
    await rpc(rpcUrl, "evm_setIntervalMining", [0]);
    this.handMined.set(name, setInterval(() => void rpc(rpcUrl, "evm_mine", []).catch(() => undefined), ms));
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
