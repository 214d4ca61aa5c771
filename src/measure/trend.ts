/**
 * Least-squares line of y on x from running sums (n, Σx, Σy, Σx², Σxy, Σy²): constant memory,
 * so a stage's messages need not be kept, and anyone can recompute it from the same points.
 */
export class Trend {
  n = 0;
  sx = 0;
  sy = 0;
  sxx = 0;
  sxy = 0;
  syy = 0;

  add(x: number, y: number): void {
    this.n++;
    this.sx += x;
    this.sy += y;
    this.sxx += x * x;
    this.sxy += x * y;
    this.syy += y * y;
  }

  /**
   * Slope b = Sxy / Sxx and its standard error √(RSS / (n − 2) / Sxx), with the centred sums
   * Sxx = Σx² − (Σx)²/n, Sxy = Σxy − ΣxΣy/n, Syy = Σy² − (Σy)²/n and RSS = Syy − b·Sxy.
   * Undefined with fewer than 3 points or all x equal. (The error assumes independent
   * residuals; see the README's Capacity criteria for what a block-time sawtooth does to it.)
   */
  fit(): { slope: number; stdErr: number; n: number } | undefined {
    const { n } = this;
    if (n < 3) return undefined;
    const sxx = this.sxx - (this.sx * this.sx) / n;
    if (!(sxx > 0)) return undefined;
    const sxy = this.sxy - (this.sx * this.sy) / n;
    const syy = this.syy - (this.sy * this.sy) / n;
    const slope = sxy / sxx;
    const rss = Math.max(0, syy - slope * sxy);
    return { slope, stdErr: Math.sqrt(rss / (n - 2) / sxx), n };
  }
}

/**
 * Least-squares slope with its standard error; undefined with fewer than 3 points. (The
 * error assumes independent residuals: a block-time sawtooth makes it a little optimistic.)
 * x is taken from the first point's, so the running sums keep their precision.
 */
export function fitSlope(points: Array<[number, number]>): { slope: number; stdErr: number } | undefined {
  const trend = new Trend();
  const x0 = points[0]?.[0] ?? 0;
  for (const [x, y] of points) trend.add(x - x0, y);
  return trend.fit();
}
