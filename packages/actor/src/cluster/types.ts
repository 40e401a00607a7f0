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

/** What a node parks in Redis when its player disconnects, so any node can resume the player. */
export interface ResumeRecord {
  readonly userId: string;
  /** Node that parked it. */
  readonly nodeId: string;
  readonly sessionId: number;
  /** The actor's persisted snapshot (any msgpack-encodable value). */
  readonly snapshot: unknown;
  /** Pushes queued for the player, each one encoded message (`encodeMessage`), oldest first. */
  readonly queued: readonly Uint8Array[];
}

/** Result of appending a push to a parked record. */
export type AppendResult =
  | { readonly ok: true; readonly length: number }
  | { readonly ok: false; readonly reason: 'missing' | 'full' }
  | { readonly ok: false; readonly reason: 'claimed'; readonly nodeId: string };

/** A parked player was resumed on node `nodeId`: the parking node stops its actor without the leave hook. */
export interface ResumedNotice {
  readonly token: string;
  readonly userId: string;
  readonly nodeId: string;
}
