/**
 * A concurrency limit with priority lanes: when every slot is taken, callers wait in the
 * queue of their lane, and a freed slot goes to the first caller of the lowest-numbered
 * lane that has one (first come, first served within a lane). With one lane it is a plain
 * FIFO limit.
 */
export class LaneLimit {
  private active = 0;
  private readonly queues: Array<Array<() => void>>;

  constructor(
    private readonly concurrency: number,
    lanes = 1,
  ) {
    this.queues = Array.from({ length: lanes }, () => []);
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.queues.reduce((n, q) => n + q.length, 0);
  }

  async run<T>(lane: number, fn: () => Promise<T>): Promise<T> {
    const queue = this.queues[Math.min(Math.max(lane, 0), this.queues.length - 1)]!;
    if (this.active < this.concurrency) this.active++;
    // The slot is handed over by release(): `active` stays counted.
    else await new Promise<void>((resolve) => queue.push(resolve));
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private release(): void {
    const next = this.queues.find((q) => q.length > 0)?.shift();
    if (next) next();
    else this.active--;
  }
}
