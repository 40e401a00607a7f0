/** Delays in 0.1 ms bins up to 2 s (the last bin takes everything above): cheap to add to and to merge. */
export class Histogram {
  static readonly BINS = 20_001;
  readonly bins: number[];
  count = 0;

  constructor(bins?: number[]) {
    this.bins = bins ?? new Array<number>(Histogram.BINS).fill(0);
    for (const b of this.bins) this.count += b;
  }

  add(ms: number): void {
    const i = Math.min(Histogram.BINS - 1, Math.max(0, Math.round(ms * 10)));
    this.bins[i]! += 1;
    this.count += 1;
  }

  reset(): void {
    this.bins.fill(0);
    this.count = 0;
  }

  merge(other: { bins: number[] }): void {
    for (let i = 0; i < Histogram.BINS; i++) {
      const b = other.bins[i] ?? 0;
      this.bins[i]! += b;
      this.count += b;
    }
  }

  /** The `q` quantile in ms (NaN when empty). */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < Histogram.BINS; i++) {
      seen += this.bins[i]!;
      if (seen >= rank) return i / 10;
    }
    return (Histogram.BINS - 1) / 10;
  }
}
