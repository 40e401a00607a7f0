/** One live session as `/sessions` shows it. */
export interface AdminSession {
  /** Session id. */
  id: number;
  /** Logged-in user id, or null before login. */
  user: string | null;
  remoteAddress: string | null;
  /** The player actor's state value, e.g. `{ active: { heartbeat: 'alive', game: 'inRoom' } }`. */
  state: unknown;
  /** Milliseconds since the last inbound message. */
  idleMs: number | null;
  /** Groups (rooms) the player is in. */
  groups: string[];
}

/** Transport counters the admin endpoint exports (net's `ServiceStats` satisfies it). */
export interface AdminStats {
  sessionsOpen: number;
  /** Connections in their protocol handshake now. */
  handshaking: number;
  /** WebSocket connections whose HTTP upgrade has not finished yet. */
  upgrading: number;
  accepted: number;
  closedByCode: Record<string, number>;
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  messagesOut: number;
}

/** A live node as `/nodes` lists it (the Redis registry's `NodeInfo`). */
export interface AdminNode {
  readonly nodeId: string;
  readonly host: string;
  readonly pid: number;
  /** Users the node held at its last heartbeat. */
  readonly users: number;
  readonly startedAt: number;
  /** When its registration lapses unless it beats again (ms since epoch); null for a lone in-memory node. */
  readonly expiresAt: number | null;
}

/** The node's place in its cluster, read at scrape time. */
export interface ClusterView {
  /** `memory`: one process (the default); `redis`: a cluster node. */
  readonly mode: 'memory' | 'redis';
  /** This node's id in the cluster (undefined in memory). */
  readonly nodeId: string | undefined;
  /** False while Redis is unreachable (cross-node calls fail with `BACKPLANE_UNAVAILABLE`). */
  readonly available: boolean;
  /** Live nodes; rejects `BACKPLANE_UNAVAILABLE` while Redis is down. */
  nodes(): Promise<readonly AdminNode[]>;
  /** Cross-node counters (backplane publishes, drops, forwarded moves, …), each a running total. */
  readonly counters: Readonly<Record<string, number>>;
}

/** What the admin endpoint reads: the node's transport and actors, the game, and the cluster. */
export interface AdminSource {
  stats(): AdminStats;
  /** Sessions `offset` .. `offset + limit - 1` (in the holder's order) and how many there are in all. */
  sessions(offset: number, limit: number): { total: number; sessions: AdminSession[] };
  /** Actor count by top-level state (`awaitingLogin`, `active`, `disconnected`, …). */
  actorsByState(): Record<string, number>;
  /** Game gauges, e.g. `{ arena_rooms: 3, arena_players: 40 }`. */
  gameGauges(): Record<string, number>;
  /** The cluster view (`/nodes`, `hearth_cluster_*` metrics). Absent: served as a lone in-memory node. */
  cluster?(): ClusterView;
}
