/**
 * 1-based nearest rank of the p-th percentile among n values: the smallest k with k/n ≥ p/100,
 * i.e. ⌈p·n/100⌉ (at least 1). Computed on integers (p to six decimals), so p99.9 of 1,000
 * values is rank 999, where ⌈(99.9/100)·1000⌉ in floating point gives 1000.
 */
export function nearestRank(n: number, p: number): number {
  if (p >= 100) return n;
  if (!(p > 0)) return 1;
  const millionths = Math.round(p * 1e6);
  const numerator = millionths * n; // ⌈numerator / 1e8⌉
  if (numerator > Number.MAX_SAFE_INTEGER) return Math.max(1, Number((BigInt(millionths) * BigInt(n) + 99_999_999n) / 100_000_000n));
  let rank = Math.floor(numerator / 1e8);
  while (rank * 1e8 < numerator) rank++;
  while (rank > 1 && (rank - 1) * 1e8 >= numerator) rank--;
  return Math.max(1, rank);
}

/** Nearest-rank percentile of an ascending array: the smallest value with ≥ p % of values at or below it. */
export function percentile(sorted: ArrayLike<number>, p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[nearestRank(sorted.length, p) - 1];
}

/**
 * The exact delays of one set of messages (8 bytes each, in a Float64Array that doubles as
 * it fills), with exact nearest-rank percentiles (`percentile()`'s rule). The values are
 * sorted in place when a percentile is asked after new values came in, not before: a run
 * asks at its end. Min, max, mean and standard deviation are kept as values come in.
 */
export class DelayHistogram {
  private data = new Float64Array(16);
  /** data[0, sortedUpTo) is in ascending order; values from there on came in since. */
  private sortedUpTo = 0;
  count = 0;
  min = Infinity;
  max = -Infinity;
  private sum = 0;
  private sumSquares = 0;

  record(ms: number): void {
    if (!Number.isFinite(ms)) return;
    if (this.count === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.count++] = ms;
    this.sum += ms;
    this.sumSquares += ms * ms;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
  }

  /**
   * The values in ascending order (a view, valid until the next record). Values that came in
   * since the last call are sorted on their own and merged in (one pass), so asking again
   * during a run costs about one copy of the values, not a sort of them all.
   */
  sorted(): Float64Array {
    const n = this.count;
    const done = this.sortedUpTo;
    const data = this.data;
    if (done === n) return data.subarray(0, n);
    if (done === 0 || n - done > done) data.subarray(0, n).sort();
    else {
      const added = data.slice(done, n).sort();
      // Merge from the back: data[0, done) and `added` into data[0, n).
      let [i, j, w] = [done - 1, added.length - 1, n - 1];
      while (j >= 0) data[w--] = i >= 0 && data[i]! > added[j]! ? data[i--]! : added[j--]!;
    }
    this.sortedUpTo = n;
    return data.subarray(0, n);
  }

  /** Nearest-rank p-th percentile in ms: the smallest recorded value with ≥ p % of values at or below it (undefined without data). */
  percentile(p: number): number | undefined {
    if (this.count === 0) return undefined;
    if (p >= 100) return this.max;
    return this.sorted()[nearestRank(this.count, p) - 1];
  }

  /**
   * A cheap estimate of the p-th percentile for a live display: exact while at most `sample`
   * values (or nothing new since the last sort), else the nearest-rank percentile of every
   * ⌈count/sample⌉-th value. Costs one sort of `sample` values, whatever the count.
   */
  approximatePercentile(p: number, sample = 10_000): number | undefined {
    if (this.count <= sample || this.sortedUpTo === this.count) return this.percentile(p);
    const stride = Math.ceil(this.count / sample);
    const picked = new Float64Array(Math.ceil(this.count / stride));
    for (let i = 0, j = 0; i < this.count; i += stride, j++) picked[j] = this.data[i]!;
    return percentile(picked.sort(), p);
  }

  get mean(): number | undefined {
    return this.count ? this.sum / this.count : undefined;
  }

  get stddev(): number | undefined {
    if (!this.count) return undefined;
    const mean = this.sum / this.count;
    return Math.sqrt(Math.max(0, this.sumSquares / this.count - mean * mean));
  }

  /**
   * Jitter: p95 − p5 (nearest rank), the width of the window 90 % of the messages arrived in.
   * A robust spread: one lucky or unlucky message moves it by at most one rank.
   */
  get jitter(): number | undefined {
    const [high, low] = [this.percentile(95), this.percentile(5)];
    return high === undefined || low === undefined ? undefined : high - low;
  }
}
