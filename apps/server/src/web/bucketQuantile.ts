/** One cumulative histogram bucket: observations `<= le` (`le` may be `Infinity`). */
export interface Bucket {
  readonly le: number;
  readonly count: number;
}

/**
 * The `q`-quantile (0..1) of a cumulative histogram, interpolated linearly inside its bucket the
 * way Prometheus' `histogram_quantile` does; undefined when the histogram is empty. A quantile that
 * falls in the `+Inf` bucket is reported as the largest finite bound.
 *
 * @example bucketQuantile([{ le: 1, count: 1 }, { le: 2, count: 4 }, { le: Infinity, count: 4 }], 0.5) // 1.333…
 */
export function bucketQuantile(buckets: readonly Bucket[], q: number): number | undefined {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let lowerLe = 0;
  let lowerCount = 0;
  for (const { le, count } of sorted) {
    if (count >= rank && count > lowerCount) {
      if (le === Infinity) return lowerLe;
      return lowerLe + ((le - lowerLe) * (rank - lowerCount)) / (count - lowerCount);
    }
    lowerLe = le === Infinity ? lowerLe : le;
    lowerCount = count;
  }
  return lowerLe;
}

/** `now - before`, bucket by bucket (both cumulative over the same bounds). */
export function bucketDelta(now: readonly Bucket[], before: readonly Bucket[] | undefined): Bucket[] {
  if (before === undefined) return [...now];
  const old = new Map(before.map((b) => [b.le, b.count]));
  return now.map((b) => ({ le: b.le, count: Math.max(0, b.count - (old.get(b.le) ?? 0)) }));
}
