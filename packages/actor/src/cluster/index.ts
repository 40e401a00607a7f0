// Public surface of the cluster layer (re-exported from the package index by the lead).
export { BackplaneOp, RedisBackplane } from './RedisBackplane.ts';
export type { BackplaneEvents, BackplaneStats } from './RedisBackplane.ts';
export {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_DIRECTORY_CACHE_MS,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_KEY_PREFIX,
  DEFAULT_RESUME_QUEUE_LIMIT,
} from './RedisBackplaneOptions.ts';
export type { RedisBackplaneOptions } from './RedisBackplaneOptions.ts';
export { ClusterKeys } from './ClusterKeys.ts';
export { ClusterErrorCode } from './errors.ts';
export type { AppendResult, NodeInfo, RedisDirectoryEntry, ResumedNotice, ResumeRecord } from './types.ts';
