import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { AdminSource } from './AdminSource.ts';
import { RequestTimes } from './RequestTimes.ts';
import { RequestTimesHistogram } from './RequestTimesHistogram.ts';
import type { ObserveTime } from './timed.ts';

/** The server's Prometheus registry and the instruments the game code records into. */
export interface ServerMetrics {
  readonly registry: Registry;
  /** Request handling times by message name (`hearth_request_duration_seconds{type}`). */
  readonly requestTimes: RequestTimes;
  /** Records a request's time into {@link requestTimes} (what `timed` handlers are given). */
  readonly observe: ObserveTime;
}

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** A cluster node (`--redis`): export `hearth_cluster_*`. A lone in-memory server has no cluster to be up or down. @defaultValue false */
  cluster?: boolean;
  /**
   * The message names requests are timed under: the only `type` labels of
   * `hearth_request_duration_seconds` (a time under another name is dropped, never a new series).
   * @defaultValue [] (nothing timed)
   */
  requestTypes?: Iterable<string>;
}

/**
 * Builds a registry whose values are read from `source` at scrape time (so the hot path pays
 * nothing), plus Node's default metrics (event-loop lag, heap, GC, CPU).
 */
export function createMetrics(source: AdminSource, options: MetricsOptions = {}): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  // prom-client names three gauges `*_total`, which `promtool check metrics` refuses (only counters
  // end in _total). Their values are sum(nodejs_active_handles) etc., which stay exported.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);

  const totalFrom = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        // prom-client counters only go up: reset, then add the transport's running total.
        this.reset();
        this.inc(read());
      },
    });

  new Gauge({ name: 'hearth_sessions_active', help: 'Sessions open now', registers: [registry], collect() { this.set(source.stats().sessionsOpen); } });
  new Gauge({ name: 'hearth_sessions_handshaking', help: 'Connections in their protocol handshake now', registers: [registry], collect() { this.set(source.stats().handshaking); } });
  new Gauge({ name: 'hearth_sessions_upgrading', help: 'WebSocket connections whose HTTP upgrade has not finished', registers: [registry], collect() { this.set(source.stats().upgrading); } });
  totalFrom('hearth_sessions_accepted_total', 'Connections accepted', () => source.stats().accepted);
  new Counter({
    name: 'hearth_sessions_closed_total',
    help: 'Sessions closed, by close code',
    labelNames: ['code'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [code, n] of Object.entries(source.stats().closedByCode)) this.inc({ code }, n);
    },
  });
  totalFrom('hearth_bytes_in_total', 'Bytes received', () => source.stats().bytesIn);
  totalFrom('hearth_bytes_out_total', 'Bytes sent', () => source.stats().bytesOut);
  totalFrom('hearth_messages_in_total', 'Messages received', () => source.stats().messagesIn);
  totalFrom('hearth_messages_out_total', 'Messages sent', () => source.stats().messagesOut);
  new Gauge({
    name: 'hearth_actors',
    help: 'Player actors by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [state, n] of Object.entries(source.actorsByState())) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'hearth_game',
    help: 'Game gauges (rooms, players, …)',
    labelNames: ['name'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [name, n] of Object.entries(source.gameGauges())) this.set({ name }, n);
    },
  });
  // Cluster mode only: in memory these would read `hearth_cluster_up 0`, and a "cluster down" alert would fire.
  if (options.cluster === true) registerClusterMetrics(registry, source);
  const requestTimes = new RequestTimes(options.requestTypes ?? []);
  new RequestTimesHistogram(requestTimes, registry);
  const observe: ObserveTime = Object.assign((type: string, seconds: number) => requestTimes.observe(type, seconds), {
    recorder: (type: string) => requestTimes.recorder(type),
  });
  return { registry, requestTimes, observe };
}

/** `hearth_cluster_up`, `hearth_cluster_nodes` (live nodes, read from Redis per scrape) and `hearth_cluster_events_total`. */
function registerClusterMetrics(registry: Registry, source: AdminSource): void {
  new Gauge({
    name: 'hearth_cluster_up',
    help: 'Cluster mode: 1 while Redis is reachable, 0 while cross-node calls fail (absent in memory)',
    registers: [registry],
    collect() {
      const view = source.cluster?.();
      if (view?.mode === 'redis') this.set(view.available ? 1 : 0);
    },
  });
  new Gauge({
    name: 'hearth_cluster_nodes',
    help: 'Cluster mode: live nodes in the registry (-1 while Redis is down)',
    registers: [registry],
    async collect() {
      const view = source.cluster?.();
      if (view?.mode !== 'redis') return;
      this.set(await view.nodes().then((n) => n.length, () => -1));
    },
  });
  new Counter({
    name: 'hearth_cluster_events_total',
    help: 'Cluster mode: cross-node counters (publishes, messages in/out, dropped, forwarded, resumes, …)',
    labelNames: ['event'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [event, n] of Object.entries(source.cluster?.().counters ?? {})) this.inc({ event }, n);
    },
  });
}
