// Public surface of the cluster layer: `@hearth/actor/cluster` (a subpath, so a one-process server
// that imports `@hearth/actor` does not load ioredis: ~300 ms and ~21 MB RSS measured on import).
export { RedisBackplane } from './RedisBackplane.ts';
export { RedisDirectory } from './RedisDirectory.ts';
export { RedisResumeStore } from './RedisResumeStore.ts';
export { NodeRegistry } from './NodeRegistry.ts';
export { BackplaneOp } from './BackplaneOp.ts';
export { ClusterKeys } from './ClusterKeys.ts';
export { EnvelopeSigner, TAG_BYTES } from './EnvelopeSigner.ts';
export {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_DIRECTORY_CACHE_MS,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_KEY_PREFIX,
  DEFAULT_RESUME_QUEUE_LIMIT,
} from './RedisBackplaneOptions.ts';
export type { RedisBackplaneOptions } from './RedisBackplaneOptions.ts';
export type { BackplaneEvents, BackplaneStats, NodeInfo, RedisDirectoryEntry } from './types.ts';
export { BackplaneErrorCode } from '../backplane/errors.ts';
