import { nearestRank } from "./histogram.ts";

/** Buckets of 0.1 ms each below this many tenths (204.7 ms); above, each power of two is split into LINEAR / 2 buckets. */
const LINEAR = 2048;
const HALF = LINEAR / 2;
/** Counts are kept in blocks of this many buckets, made when a value first falls into one. */
const BLOCK = 128;
/** Values above 2^31 tenths of a ms (about 60 hours) count in the top bucket. */
const TOP_TENTHS = 2 ** 31 - 1;

/** The bucket of a value in ms (< 0 counts as 0). */
export function bucketOf(ms: number): number {
  const tenths = Math.min(TOP_TENTHS, Math.max(0, Math.floor(ms * 10)));
  if (tenths < LINEAR) return tenths;
  const e = 31 - Math.clz32(tenths); // 2^e ≤ tenths < 2^(e+1), e ≥ 11
  const shift = e - 10;
  return LINEAR + (e - 11) * HALF + ((tenths >>> shift) - HALF);
}

/** The lowest value of a bucket, ms: what a percentile that falls in it reads. */
export function bucketFloor(bucket: number): number {
  if (bucket < LINEAR) return bucket / 10;
  const j = bucket - LINEAR;
  const e = 11 + Math.floor(j / HALF);
  return ((HALF + (j % HALF)) * 2 ** (e - 10)) / 10;
}

/**
 * Counts of delays in fixed buckets, for figures kept per (stage, guardian) over a run of any
 * length: memory grows with the spread of the values, never with their number. Buckets are
 * 0.1 ms wide up to 204.7 ms (the CSV's own resolution: exact there) and 1/1024 of their power
 * of two above (a value is read at most 0.1 % low). `percentile(p)` is the nearest-rank
 * percentile (histogram.ts's rule) of the values each rounded down to its bucket's floor;
 * `max` is exact. Counts live in 512-byte blocks made on first use: a guardian's delays cluster,
 * so a histogram is a few KB, 90 KB at the most.
 */
export class BucketHistogram {
  private readonly blocks: Array<Uint32Array | undefined> = [];
  count = 0;
  max = -Infinity;

  record(ms: number): void {
    if (!Number.isFinite(ms)) return;
    const bucket = bucketOf(ms);
    const b = bucket >>> 7;
    const block = (this.blocks[b] ??= new Uint32Array(BLOCK));
    block[bucket & (BLOCK - 1)]!++;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  /** Nearest-rank p-th percentile, ms, read at its bucket's floor (undefined without data; p ≥ 100 gives the exact max). */
  percentile(p: number): number | undefined {
    if (this.count === 0) return undefined;
    if (p >= 100) return this.max;
    const rank = nearestRank(this.count, p);
    let seen = 0;
    for (let b = 0; b < this.blocks.length; b++) {
      const block = this.blocks[b];
      if (!block) continue;
      for (let i = 0; i < BLOCK; i++) {
        seen += block[i]!;
        if (seen >= rank) return bucketFloor(b * BLOCK + i);
      }
    }
    return this.max;
  }
}
