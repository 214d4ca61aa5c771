import { now } from "../../../infra/clock.ts";
import type { Observation } from "./guardian.ts";
import type { GossipTopology } from "./topology.ts";

export interface GossipOptions {
  guardianCount: number;
  /** Batch observations before publishing (Wormhole's processor); undefined publishes each at once. */
  batching?: { maxDelayMs: number; maxSize: number };
  topology: GossipTopology;
  /** Observations that reached the aggregation point, at `arrivedAt` (clock.now()). */
  arrive: (observations: Observation[], arrivedAt: number) => void;
}

/**
 * How a guardian's signed observations travel to the aggregation point (the guardian whose
 * VAA API the relayers read).
 *
 * Batching follows Wormhole's processor (processor/batch_obs.go): each guardian reads its
 * observations into a batch until `maxSize` are in or a window of `maxDelayMs` ends, publishes
 * the batch as one gossip message and opens the next window at once. Windows run back to back
 * whether or not anything arrives, so an observation waits from 0 to `maxDelayMs`, depending
 * on where in its guardian's window it falls. Each guardian's windows start at its own phase
 * (guardian i at i × 0.618… of a window, modulo one window: spread, and the same every run).
 * Here a full batch goes out without moving the window (guardiand starts a new one then): at
 * 4,000 a batch that is rare, and it keeps the phases fixed.
 *
 * A published batch reaches the aggregation point `topology.delayMs(guardian)` later.
 */
export class Gossip {
  private readonly batches: Observation[][];
  private readonly windows: NodeJS.Timeout[] = [];
  private readonly inFlight = new Set<NodeJS.Timeout>();
  private stopped = false;
  /** When the windows started (clock.now()): every window ends at origin + phase + k·window. */
  private origin = 0;

  constructor(private readonly options: GossipOptions) {
    this.batches = Array.from({ length: options.guardianCount }, () => []);
  }

  /** Starts each guardian's batch windows. */
  start(): void {
    if (!this.options.batching) return;
    this.origin = now();
    for (let g = 0; g < this.options.guardianCount; g++) this.nextWindow(g);
  }

  /**
   * Schedules the end of guardian g's current window at its absolute time, origin + phase +
   * k·window: an interval timer would drift after every event-loop pause (it counts from when
   * its callback ran), and the guardians' phases would bunch up.
   */
  private nextWindow(g: number): void {
    const window = this.options.batching!.maxDelayMs;
    const phase = ((g * 0.6180339887) % 1) * window;
    const since = now() - this.origin - phase;
    const end = this.origin + phase + (Math.floor(since / window) + 1) * window;
    this.windows[g] = setTimeout(
      () => {
        this.flush(g);
        if (!this.stopped) this.nextWindow(g);
      },
      Math.max(0, end - now()),
    );
  }

  /** Stops the windows and forgets batches and gossip still under way. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.windows) clearTimeout(timer);
    for (const timer of this.inFlight) clearTimeout(timer);
    this.inFlight.clear();
  }

  /** A guardian signed an observation: into its batch, or on its way at once. */
  publish(o: Observation): void {
    if (this.stopped) return;
    const batching = this.options.batching;
    if (!batching) return this.send(o.guardianIndex, [o]);
    const batch = this.batches[o.guardianIndex]!;
    batch.push(o);
    // A full batch goes out at once (the processor's read ends early).
    if (batch.length >= batching.maxSize) this.flush(o.guardianIndex);
  }

  private flush(g: number): void {
    const batch = this.batches[g]!;
    if (!batch.length) return;
    this.batches[g] = [];
    this.send(g, batch);
  }

  private send(g: number, batch: Observation[]): void {
    const delay = this.options.topology.delayMs(g);
    if (delay <= 0) return this.options.arrive(batch, now());
    const timer = setTimeout(() => {
      this.inFlight.delete(timer);
      if (!this.stopped) this.options.arrive(batch, now());
    }, delay);
    this.inFlight.add(timer);
  }
}
