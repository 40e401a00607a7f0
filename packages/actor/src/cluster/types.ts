import type { DirectoryEntry } from '../backplane/Backplane.ts';

/** A directory entry as Redis stores it: the holder's entry plus its login time. */
export interface RedisDirectoryEntry extends DirectoryEntry {
  /** Login time on its node (ms since epoch): on a conflict after an outage, the newer login wins. */
  readonly loginAt: number;
}

/** A live node of the cluster, from the registry. */
export interface NodeInfo {
  readonly nodeId: string;
  /** When its registration lapses unless it beats again (Redis clock, ms since epoch). */
  readonly expiresAt: number;
  readonly startedAt: number;
  /** Users registered by that node at its last heartbeat. */
  readonly users: number;
  readonly host: string;
  readonly pid: number;
}

/** Events of a `RedisBackplane`. */
export interface BackplaneEvents {
  /** Redis is reachable, the node is registered and its users re-registered. `recovered` after an outage. */
  up: (info: { recovered: boolean }) => void;
  /** Redis was lost: cross-node operations now fail fast with `BACKPLANE_UNAVAILABLE`. */
  down: (error: Error | undefined) => void;
}

/** Counters of a `RedisBackplane`. */
export interface BackplaneStats {
  /** PUBLISH commands sent. */
  publishes: number;
  /** Messages carried by those publishes. */
  messagesOut: number;
  /** Messages received from other nodes. */
  messagesIn: number;
  /** Messages lost because Redis went away between queueing and flushing. */
  dropped: number;
  /** Deliveries that found no local user and were forwarded one hop (stale directory cache). */
  forwarded: number;
  /**
   * Messages dropped on receipt: unsigned or forged (tag not verified, with `clusterSecret`), or
   * naming a malformed user id or token, or a `hearth.*` lifecycle event, or a body that is not a
   * well-formed batch within the decoding limits (docs/protocol.md, "Decoding limits").
   */
  rejected: number;
}
