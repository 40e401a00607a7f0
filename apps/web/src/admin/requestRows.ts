/** Requests of one message type over a sample's interval (the feed's `requestsByType`). */
export interface RequestTimesSample {
  readonly perS: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

/** One line of the dashboard's "request time by message" table. */
export interface RequestRow {
  readonly type: string;
  /** Requests per second in the latest sample (0: none in it). */
  readonly perS: number;
  /** p50 and p99 of the latest interval that had requests of this type, in ms. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  /** Seconds from that interval to the latest sample (0: the latest has them). */
  readonly ageS: number;
}

/**
 * The table's rows from the samples so far (oldest first): one per message type seen in any of
 * them, by name, with its latest percentiles (a quiet interval has none, so they are kept from the
 * last one that had requests) and its current rate.
 *
 * @example requestRows([{ t: 0, requestsByType: { 'arena.move': { perS: 50, p50Ms: 0.02, p99Ms: 0.04 } } }])
 */
export function requestRows(samples: ReadonlyArray<{ readonly t: number; readonly requestsByType?: Readonly<Record<string, RequestTimesSample>> }>): RequestRow[] {
  const last = samples.at(-1);
  if (last === undefined) return [];
  const latest = new Map<string, { t: number; s: RequestTimesSample }>();
  for (const { t, requestsByType } of samples) for (const [type, s] of Object.entries(requestsByType ?? {})) latest.set(type, { t, s });
  return [...latest]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([type, { t, s }]) => ({
      type,
      perS: last.requestsByType?.[type]?.perS ?? 0,
      p50Ms: s.p50Ms,
      p99Ms: s.p99Ms,
      ageS: Math.max(0, Math.round((last.t - t) / 1000)),
    }));
}
