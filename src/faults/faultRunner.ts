import type { GuardianNetwork } from "../bridge/guardianNetwork.ts";
import type { Ledger } from "../measure/ledger.ts";
import { faultLabel, type FaultSpec } from "./faults.ts";

/** One line of events.csv. */
export interface FaultEvent {
  /** ms from the run's start. */
  at: number;
  event: "fault-start" | "fault-end";
  kind: string;
  fault: string;
}

export interface FaultTargets {
  guardians: GuardianNetwork;
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

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    for (const fault of [...this.active]) this.heal(fault);
  }

  private log(event: FaultEvent["event"], fault: FaultSpec): void {
    this.events.push({ at: this.ledger.elapsed(), event, kind: fault.kind, fault: faultLabel(fault) });
  }

  private apply(fault: FaultSpec): void {
    this.active.add(fault);
    this.log("fault-start", fault);
    this.set(fault, true);
  }

  private heal(fault: FaultSpec): void {
    if (!this.active.delete(fault)) return;
    this.set(fault, false);
    this.log("fault-end", fault);
  }

  private set(fault: FaultSpec, on: boolean): void {
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
}
