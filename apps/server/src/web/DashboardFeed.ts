import type { ServerResponse } from 'node:http';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Registry } from 'prom-client';
import type { AdminSource, AdminStats } from '../admin/AdminSource.ts';
import { REQUEST_TIME_METRIC } from '../admin/RequestTimesHistogram.ts';
import { bucketDelta, bucketQuantile, type Bucket } from './bucketQuantile.ts';

/** One point of the dashboard's time series (rates are per second over the last interval). */
export interface DashboardSample {
  /** When it was taken, ms since epoch. */
  t: number;
  sessions: number;
  accepted: number;
  /** Player actors by top-level state (`active`, `disconnected`, …). */
  actors: Record<string, number>;
  messagesInPerS: number;
  messagesOutPerS: number;
  bytesInPerS: number;
  bytesOutPerS: number;
  /** Event-loop delay over the interval, in ms. */
  loopLagP50Ms: number;
  loopLagP99Ms: number;
  /** Requests handled per second, and their handling time p50/p99 in ms (null: none handled). */
  requestsPerS: number;
  requestP50Ms: number | null;
  requestP99Ms: number | null;
  /** The same by message type, for the types that had requests in the interval. */
  requestsByType: Record<string, RequestTimesSample>;
  /** Game gauges (`arena_rooms`, `arena_players`, …). */
  game: Record<string, number>;
  /** Live nodes of the cluster (1 in memory; null while Redis is down). */
  nodes: number | null;
}

/** Requests of one message type over a sample's interval. */
export interface RequestTimesSample {
  perS: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

/** Options of {@link DashboardFeed}. */
export interface DashboardFeedOptions {
  source: AdminSource;
  /** The `/metrics` registry: the request-time histogram is read from it. */
  registry: Registry;
  /** @defaultValue 1000 */
  intervalMs?: number;
  /** Samples kept and sent to a new subscriber first. @defaultValue 120 */
  historySize?: number;
  /** Live subscribers at most (each holds a socket); more get 503. @defaultValue 32 */
  maxSubscribers?: number;
  /** @defaultValue Date.now */
  now?: () => number;
}


/**
 * The admin dashboard's live feed: while at least one dashboard listens, samples the same sources
 * as `/metrics` (the transport's counters, actor states, game gauges, the request-time histogram,
 * the cluster's nodes) once per interval and sends each sample to every subscriber as a
 * server-sent event. The event-loop delay is measured by its own `monitorEventLoopDelay` (reading
 * prom-client's would reset the one `/metrics` reports). Idle (no timer, no monitor) without
 * subscribers.
 */
export class DashboardFeed {
  readonly #o: Required<Omit<DashboardFeedOptions, 'source' | 'registry'>> & Pick<DashboardFeedOptions, 'source' | 'registry'>;
  readonly #subscribers = new Set<ServerResponse>();
  readonly #history: DashboardSample[] = [];
  #timer: NodeJS.Timeout | undefined;
  #loop: IntervalHistogram | undefined;
  #last: { t: number; stats: AdminStats; byType: Map<string, Bucket[]> } | undefined;
  #closed = false;

  constructor(options: DashboardFeedOptions) {
    this.#o = { intervalMs: 1000, historySize: 120, maxSubscribers: 32, now: Date.now, ...options };
  }

  get subscribers(): number {
    return this.#subscribers.size;
  }

  /** Samples kept so far, oldest first. */
  get history(): readonly DashboardSample[] {
    return this.#history;
  }

  /** Streams samples to `res` (an SSE response) until it closes: the history first, then one per interval. */
  subscribe(res: ServerResponse): void {
    if (this.#closed || this.#subscribers.size >= this.#o.maxSubscribers) {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' }).end(`too many dashboards open (max ${this.#o.maxSubscribers})\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    res.write(`retry: 2000\nevent: history\ndata: ${JSON.stringify(this.#history)}\n\n`);
    this.#subscribers.add(res);
    res.on('close', () => {
      this.#subscribers.delete(res);
      if (this.#subscribers.size === 0) this.#stop();
    });
    this.#start();
  }

  /** Takes one sample now (also what the timer does), sends it and keeps it. */
  async sample(): Promise<DashboardSample> {
    const { source, registry, now } = this.#o;
    const t = now();
    const stats = { ...source.stats() };
    const byType = await requestBuckets(registry);
    const last = this.#last;
    const seconds = last === undefined ? 0 : Math.max(0.001, (t - last.t) / 1000);
    const rate = (key: 'messagesIn' | 'messagesOut' | 'bytesIn' | 'bytesOut') =>
      last === undefined ? 0 : Math.max(0, stats[key] - last.stats[key]) / seconds;
    const toMs = (s: number | undefined) => (s === undefined ? null : Math.round(s * 1e6) / 1e3);
    // The interval's histogram of each type, and of all of them (summed per bound).
    const requestsByType: Record<string, RequestTimesSample> = {};
    const all = new Map<number, number>();
    let requests = 0;
    if (last !== undefined) {
      for (const [type, buckets] of byType) {
        const delta = bucketDelta(buckets, last.byType.get(type));
        const n = delta.at(-1)?.count ?? 0;
        if (n <= 0) continue;
        requests += n;
        for (const { le, count } of delta) all.set(le, (all.get(le) ?? 0) + count);
        requestsByType[type] = { perS: n / seconds, p50Ms: toMs(bucketQuantile(delta, 0.5)), p99Ms: toMs(bucketQuantile(delta, 0.99)) };
      }
    }
    const window = [...all].map(([le, count]) => ({ le, count }));
    const loop = this.#loop;
    const sample: DashboardSample = {
      t,
      sessions: stats.sessionsOpen,
      accepted: stats.accepted,
      actors: source.actorsByState(),
      messagesInPerS: rate('messagesIn'),
      messagesOutPerS: rate('messagesOut'),
      bytesInPerS: rate('bytesIn'),
      bytesOutPerS: rate('bytesOut'),
      loopLagP50Ms: loop === undefined || loop.count === 0 ? 0 : loop.percentile(50) / 1e6,
      loopLagP99Ms: loop === undefined || loop.count === 0 ? 0 : loop.percentile(99) / 1e6,
      requestsPerS: requests / seconds,
      requestP50Ms: toMs(bucketQuantile(window, 0.5)),
      requestP99Ms: toMs(bucketQuantile(window, 0.99)),
      requestsByType,
      game: source.gameGauges(),
      nodes: await nodeCount(source),
    };
    loop?.reset();
    this.#last = { t, stats, byType };
    this.#history.push(sample);
    if (this.#history.length > this.#o.historySize) this.#history.shift();
    const event = `data: ${JSON.stringify(sample)}\n\n`;
    for (const res of this.#subscribers) res.write(event);
    return sample;
  }

  /** Ends every stream and stops sampling; idempotent. */
  close(): void {
    this.#closed = true;
    for (const res of this.#subscribers) res.end();
    this.#subscribers.clear();
    this.#stop();
  }

  #start(): void {
    if (this.#timer !== undefined) return;
    this.#loop = monitorEventLoopDelay({ resolution: 10 });
    this.#loop.enable();
    this.#timer = setInterval(() => void this.sample().catch(() => {}), this.#o.intervalMs);
    this.#timer.unref();
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#loop?.disable();
    this.#loop = undefined;
    this.#last = undefined; // rates restart from the next subscriber's first sample
  }
}

/** The request-time histogram of each message type (cumulative buckets, ascending, `+Inf` last). */
async function requestBuckets(registry: Registry): Promise<Map<string, Bucket[]>> {
  const byType = new Map<string, Bucket[]>();
  const metric = registry.getSingleMetric(REQUEST_TIME_METRIC);
  if (metric === undefined) return byType;
  const { values } = await metric.get();
  for (const v of values) {
    if ((v as { metricName?: string }).metricName !== `${REQUEST_TIME_METRIC}_bucket`) continue;
    const type = String(v.labels['type']);
    const raw = v.labels['le'];
    let buckets = byType.get(type);
    if (buckets === undefined) byType.set(type, (buckets = []));
    buckets.push({ le: raw === '+Inf' ? Infinity : Number(raw), count: v.value });
  }
  for (const buckets of byType.values()) buckets.sort((a, b) => a.le - b.le);
  return byType;
}

async function nodeCount(source: AdminSource): Promise<number | null> {
  const view = source.cluster?.();
  if (view === undefined || view.mode === 'memory') return 1;
  return view.nodes().then(
    (nodes) => nodes.length,
    () => null,
  );
}
