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
  accepted: number;
  closedByCode: Record<string, number>;
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  messagesOut: number;
}

/** What the admin endpoint reads: the node's transport and actors, and the game. */
export interface AdminSource {
  stats(): AdminStats;
  sessions(): AdminSession[];
  /** Actor count by top-level state (`awaitingLogin`, `active`, `disconnected`, …). */
  actorsByState(): Record<string, number>;
  /** Game gauges, e.g. `{ arena_rooms: 3, arena_players: 40 }`. */
  gameGauges(): Record<string, number>;
}
