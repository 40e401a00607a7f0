/** What the orchestrator (run.ts) and a load driver (driver.ts) tell each other over the fork IPC channel. */

/** A driver's job, passed as JSON in its first argument. */
export interface DriverJob {
  stack: 'hearth' | 'colyseus' | 'raw';
  url: string;
  /** Hearth only. */
  protocol?: 'msgpack' | 'msgpack+nacl';
  /** Hearth secure only: the server's public key, hex. */
  serverKey?: string;
  /** Hearth only: what rooms send (`--arena-sync`). */
  sync?: 'snapshot' | 'state';
  clients: number;
  /** Index of this driver's first client across all drivers (names, path shapes). */
  first: number;
  /** Clients connecting at once, at most. */
  concurrency: number;
}

/** Orchestrator → driver. */
export type ToDriver = { type: 'mark' } | { type: 'report' } | { type: 'stop' };

/** What a driver counted since the last mark. */
export interface DriverReport {
  type: 'report';
  /** Clients playing (joined and not closed). */
  playing: number;
  seconds: number;
  /** State updates received (snapshots, patches). */
  updates: number;
  movesSent: number;
  /** Body bytes received (Hearth's client counters; 0 where the client does not count). */
  bodyBytesIn: number;
  /** Driver process CPU, µs. */
  cpuUs: number;
  /** Delay histogram bins (Histogram.bins). */
  delays: number[];
  errors: Record<string, number>;
}

/** Driver → orchestrator. */
export type FromDriver = { type: 'ready'; joined: number; failed: number; errors: Record<string, number> } | DriverReport;
