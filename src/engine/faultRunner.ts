import type { AnyFaultKind, FaultSpec } from "../load/faultKinds.ts";
import { faultLabel, type FaultEvent } from "../measure/faultEvents.ts";
import type { Ledger } from "../measure/ledger.ts";
import { messageOf } from "../infra/errors.ts";

/** What a bridge hands the timeline: its live parts, as its fault kinds take them. */
export interface FaultTargets {
  /** Gives back whatever the faults took over for the run (timers, hand-mined chains); called once at stop. */
  release?(): Promise<void>;
}

/**
 * Applies each fault at its time on the run clock and heals it `for` later, logging both in
 * `events` (events.csv). What a fault does is its kind's (the bridge's fault kinds); the runner
 * only keeps time. stop() heals whatever is still active, so a run never ends with a fault
 * left behind.
 */
export class FaultRunner<Targets extends FaultTargets = FaultTargets> {
  readonly events: FaultEvent[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly active = new Set<FaultSpec>();
  private readonly kinds: Map<string, AnyFaultKind>;
  private stopped = false;
  private readonly pending = new Set<Promise<void>>();

  /** `random` draws delay jitter: pass a seeded one so the same seed gives the same faults. */
  constructor(
    private readonly faults: FaultSpec[],
    kinds: readonly AnyFaultKind[],
    private readonly targets: Targets,
    private readonly ledger: Ledger,
    private readonly random: () => number,
  ) {
    this.kinds = new Map(kinds.map((k) => [k.kind, k]));
    const unknown = faults.filter((f) => !this.kinds.has(f.kind)).map((f) => f.kind);
    if (unknown.length) throw new Error(`fault kinds ${unknown.join(", ")} are not faults of this bridge`);
  }

  private kind(fault: FaultSpec): AnyFaultKind {
    return this.kinds.get(fault.kind)!;
  }

  /** Schedules the faults once the run clock starts: a fault's `at` counts from stage 0's start. */
  start(): void {
    this.ledger.whenStarted(() => {
      if (this.stopped) return;
      for (const fault of this.faults) {
        this.when(fault.atS * 1000, () => this.apply(fault));
        if (!this.kind(fault).momentary) this.when((fault.atS + fault.forS) * 1000, () => this.heal(fault));
      }
    });
  }

  /**
   * Runs `fn` once the run clock reads `ms`, never before: a timer counts from the event loop's
   * cached time, which lags the run clock (by up to a millisecond, more after a long callback),
   * so one that fires early is set again for the rest.
   */
  private when(ms: number, fn: () => void): void {
    const timer = setTimeout(
      () => {
        if (this.stopped) return;
        if (this.ledger.elapsed() < ms) this.when(ms, fn);
        else fn();
      },
      Math.max(0, Math.ceil(ms - this.ledger.elapsed())),
    );
    this.timers.push(timer);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    for (const fault of [...this.active]) this.heal(fault);
    await this.settled();
    await this.targets.release?.();
  }

  /** Resolves when every fault change asked for so far has taken effect. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private log(event: FaultEvent["event"], fault: FaultSpec, detail = ""): void {
    this.events.push({ at: this.ledger.elapsed(), event, kind: fault.kind, fault: detail ? `${faultLabel(fault)}: ${detail}` : faultLabel(fault) });
  }

  private track(change: Promise<void>, fault: FaultSpec): void {
    const tracked = change.catch((err) => this.log("fault-error", fault, messageOf(err)));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  private apply(fault: FaultSpec): void {
    const momentary = this.kind(fault).momentary === true;
    if (!momentary) this.active.add(fault);
    this.track(
      this.kind(fault)
        .set(fault, true, this.targets, this.random)
        .then((detail) => this.log(momentary ? "fault" : "fault-start", fault, detail ?? "")),
      fault,
    );
  }

  private heal(fault: FaultSpec): void {
    if (!this.active.delete(fault)) return;
    this.track(
      this.kind(fault)
        .set(fault, false, this.targets, this.random)
        .then((detail) => this.log("fault-end", fault, detail ?? "")),
      fault,
    );
  }
}
