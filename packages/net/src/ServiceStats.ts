import type { BufferPoolStats } from './buffer/BufferPool.ts';

/** Counters of a service since it started (`service.stats()`). */
export interface ServiceStats {
  /** Sessions open now. */
  sessionsOpen: number;
  /** Connections being handshaken now. */
  handshaking: number;
  /** WebSocket connections accepted whose HTTP upgrade has not finished yet (counted in `maxConnections`). */
  upgrading: number;
  /** Connections accepted by acceptors (including ones later refused). */
  accepted: number;
  /** Connections dialled successfully by connectors. */
  connected: number;
  /** Sessions that finished their handshake. */
  opened: number;
  /** Closed connections by close code (`SHUTDOWN`, `RATE_LIMITED`, ...; refused handshakes included). */
  closedByCode: Record<string, number>;
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  messagesOut: number;
  /** Socket writes (one per flush per session). */
  writes: number;
  /** Largest send queue seen on any session, in bytes (socket buffer plus batch). */
  queueHighWaterBytes: number;
  /** Errors published on the `error` topic. */
  errors: number;
  /** The inbound buffer pool. */
  pool: BufferPoolStats;
}

/** Mutable counters behind {@link ServiceStats} (internal). */
export class StatsCounters {
  handshaking = 0;
  upgrading = 0;
  accepted = 0;
  connected = 0;
  opened = 0;
  readonly closedByCode = new Map<string, number>();
  bytesIn = 0;
  bytesOut = 0;
  messagesIn = 0;
  messagesOut = 0;
  writes = 0;
  queueHighWaterBytes = 0;
  errors = 0;

  countClose(code: string): void {
    this.closedByCode.set(code, (this.closedByCode.get(code) ?? 0) + 1);
  }
}
