import { Histogram, type Registry } from 'prom-client';
import type { RequestTimes } from './RequestTimes.ts';

/** The histogram's name on `/metrics` (and what the dashboard reads). */
export const REQUEST_TIME_METRIC = 'hearth_request_duration_seconds';

/** One exported sample, the shape prom-client's registry formats. */
interface Sample {
  labels: Record<string, string | number>;
  sharedLabels: Record<string, string>;
  value: number;
  metricName: string;
}
interface Read {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  values: Sample[];
}
/** prom-client's read of a histogram (`Registry.metrics()` calls it, `get()` wraps it); not in its types. */
interface PromStringRead {
  getForPromString(this: Histogram<'type'>): Promise<Read>;
}

/**
 * `hearth_request_duration_seconds{type}`, read from {@link RequestTimes} at scrape time: the hot
 * path records into typed arrays and never calls prom-client. prom-client's `Histogram` has no way
 * to set its counts, so this one replaces its read (`getForPromString`, which `get()` and
 * `Registry.metrics()` use) and keeps the rest (name, help, type, registration, the exposition
 * format). Never observed into directly: its own counts stay empty.
 */
export class RequestTimesHistogram extends Histogram<'type'> {
  readonly #times: RequestTimes;

  constructor(times: RequestTimes, registry: Registry) {
    super({ name: REQUEST_TIME_METRIC, help: 'Time to handle a request, by message', labelNames: ['type'], buckets: [...times.bounds], registers: [registry] });
    this.#times = times;
  }

  /** What prom-client's own read returns, the values taken from the typed arrays. */
  async getForPromString(): Promise<Read> {
    const base = await (Histogram.prototype as unknown as PromStringRead).getForPromString.call(this);
    const bucket = `${REQUEST_TIME_METRIC}_bucket`;
    const { bounds } = this.#times;
    const values: Sample[] = [];
    for (const { type, cumulative, sum, count } of this.#times.snapshot()) {
      const sharedLabels = { type };
      bounds.forEach((le, i) => values.push({ labels: { le }, sharedLabels, value: cumulative[i]!, metricName: bucket }));
      values.push(
        { labels: { le: '+Inf' }, sharedLabels, value: count, metricName: bucket },
        { labels: {}, sharedLabels, value: sum, metricName: `${REQUEST_TIME_METRIC}_sum` },
        { labels: {}, sharedLabels, value: count, metricName: `${REQUEST_TIME_METRIC}_count` },
      );
    }
    return { ...base, values };
  }
}
