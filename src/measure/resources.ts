import { DelayHistogram } from "./histogram.ts";

/** One reading of what the run's processes use, taken about once a second (src/engine/run.ts). */
export interface ResourceSample {
  /** ms from the run's start. */
  at: number;
  /** The harness process's resident memory and V8 heap in use, bytes. */
  harnessRssBytes: number;
  harnessHeapBytes: number;
  /** Resident memory of each process the delivery path runs, by name (its chains by chain name), bytes; undefined where it could not be read. */
  processes: Record<string, number | undefined>;
  /** Block-interval lateness (ms) of each chain's blocks made since the previous sample, by chain. */
  blockLateness: Record<string, number[]>;
}

/** What a span of the run (a stage, or a minute) used: the largest readings in it, and every block's lateness. */
export interface SpanResources {
  harnessRssMax: number | undefined;
  harnessHeapMax: number | undefined;
  /** Largest resident memory of each named process, bytes. */
  processRssMax: Map<string, number>;
  /** Each chain's block-interval lateness, ms. */
  blockLateness: Map<string, DelayHistogram>;
}

export function emptyResources(): SpanResources {
  return { harnessRssMax: undefined, harnessHeapMax: undefined, processRssMax: new Map(), blockLateness: new Map() };
}

const max = (a: number | undefined, b: number) => (a === undefined || b > a ? b : a);

/** Counts a sample into a span: the maxima and the lateness of the blocks it reports. */
export function addResources(span: SpanResources, sample: ResourceSample): void {
  span.harnessRssMax = max(span.harnessRssMax, sample.harnessRssBytes);
  span.harnessHeapMax = max(span.harnessHeapMax, sample.harnessHeapBytes);
  for (const [name, rss] of Object.entries(sample.processes)) if (rss !== undefined) span.processRssMax.set(name, max(span.processRssMax.get(name), rss));
  for (const [chain, late] of Object.entries(sample.blockLateness)) {
    let h = span.blockLateness.get(chain);
    if (!h) span.blockLateness.set(chain, (h = new DelayHistogram()));
    for (const ms of late) h.record(ms);
  }
}

/** One minute of the run: its resources and the delays of the messages delivered in it (resources.csv). */
export interface MinuteResources {
  /** 0 for [0, 60 s) from the run's start, and so on. */
  minute: number;
  resources: SpanResources;
  /** Delays (from the intended send) of the messages delivered during the minute, ms. */
  delay: DelayHistogram;
}

/**
 * The run minute by minute: a sample counts into the minute its time falls in, a delivery into
 * the minute it was observed in. A drift of the delay next to a chain's growing memory or block
 * lateness in the same minute puts the drift on the chain.
 */
export class MinuteWindows {
  private readonly byMinute = new Map<number, MinuteResources>();

  private at(ms: number): MinuteResources {
    const minute = Math.max(0, Math.floor(ms / 60_000));
    let m = this.byMinute.get(minute);
    if (!m) this.byMinute.set(minute, (m = { minute, resources: emptyResources(), delay: new DelayHistogram() }));
    return m;
  }

  add(sample: ResourceSample): void {
    addResources(this.at(sample.at).resources, sample);
  }

  delivered(at: number, delayMs: number): void {
    this.at(at).delay.record(delayMs);
  }

  /** Every minute that saw a sample or a delivery, in order. */
  minutes(): MinuteResources[] {
    return [...this.byMinute.values()].sort((a, b) => a.minute - b.minute);
  }
}
