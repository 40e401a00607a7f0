import type { RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/** Options of a {@link RedisBackplane}. */
export interface RedisBackplaneOptions {
  /** Redis URL. @defaultValue `process.env.REDIS_URL`, else `'redis://127.0.0.1:6379'` */
  url?: string;
  /**
   * Extra ioredis options (TLS, password, ...). `enableOfflineQueue` is always false and
   * `maxRetriesPerRequest` is bounded: the backplane never buffers while Redis is down.
   */
  redis?: RedisOptions;
  /** This node's id, unique in the cluster. @defaultValue `${hostname}-${pid}-${random}` */
  nodeId?: string;
  /** Prefix of every key and channel, to share one Redis between games or tests. No braces. @defaultValue 'hearth:' */
  keyPrefix?: string;
  /** Node heartbeat period: registry and directory TTLs are refreshed this often. @defaultValue 5_000 */
  heartbeatMs?: number;
  /** TTL of the node registration and its users' directory entries. @defaultValue 3 × heartbeatMs */
  ttlMs?: number;
  /** A command without a reply for this long fails with BACKPLANE_UNAVAILABLE. @defaultValue 2_000 */
  commandTimeoutMs?: number;
  /** How long a user's node is cached for `sendToUser` (a stale entry costs one forwarding hop). @defaultValue 1_000 */
  directoryCacheMs?: number;
  /** Most pushes a parked resume record holds. @defaultValue 256 */
  resumeQueueLimit?: number;
  /**
   * Shared secret of the cluster's nodes (at least 16 bytes; 32 random bytes recommended). When set,
   * every backplane message is signed (HMAC-SHA256 over channel and body, 32 bytes appended) and a
   * message that does not verify is dropped and counted (`stats().rejected`): a client with Redis
   * access but not the secret cannot forge pushes, kicks, events or resume notices. Give a list to
   * rotate: the first signs, all verify. Every node of a cluster needs it (nodes without it cannot
   * read signed messages and vice versa). Replay is not prevented: keep Redis private too.
   * @defaultValue undefined (messages unsigned: anyone who can PUBLISH to Redis is trusted)
   */
  clusterSecret?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** Logger (a `cluster` child is made). @defaultValue silent */
  logger?: Logger;
}

export const DEFAULT_HEARTBEAT_MS = 5_000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;
export const DEFAULT_DIRECTORY_CACHE_MS = 1_000;
export const DEFAULT_RESUME_QUEUE_LIMIT = 256;
export const DEFAULT_KEY_PREFIX = 'hearth:';
