import type { RedisBackplane } from '@hearth/actor/cluster';

/**
 * What Arena's cluster mode uses of the node's `RedisBackplane` (a type only: this module never
 * loads ioredis, so a one-process server does not pay for it).
 */
export type ClusterBackplane = Pick<RedisBackplane, 'nodeId' | 'available' | 'redis' | 'keys' | 'sendToNode' | 'onNodeMessage' | 'nodes' | 'on'>;

/** The backplane's Redis command connection (fail-fast: rejects at once while Redis is down). */
export type ClusterRedis = RedisBackplane['redis'];
