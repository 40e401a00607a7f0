import { Redis, type RedisOptions } from 'ioredis';
import { SCRIPTS } from './ClusterLink.ts';
import { DEFAULT_COMMAND_TIMEOUT_MS, type RedisBackplaneOptions } from './RedisBackplaneOptions.ts';

/** The two connections of a backplane: commands (with the cluster's Lua scripts defined) and the subscriber. */
export interface RedisConnections {
  readonly pub: Redis;
  readonly sub: Redis;
}

/**
 * Creates (not connects: `lazyConnect`) the command and subscriber connections of node `nodeId`,
 * both fail-fast: no offline queue, one retry of an in-flight command at most, `commandTimeoutMs`
 * on every command and connect, no auto-resubscribe (the backplane resubscribes its own channels
 * on every reconnect). @internal RedisBackplane uses it
 */
export function redisConnections(options: RedisBackplaneOptions, nodeId: string): RedisConnections {
  const timeout = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const url = options.url ?? process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const base: RedisOptions = {
    ...options.redis,
    lazyConnect: true,
    // Fail fast instead of buffering: no offline queue, one retry of an in-flight command at most.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: timeout,
    connectTimeout: timeout,
    autoResubscribe: false, // the backplane's channel set is the truth: resubscribed on recovery, including channels added while down
    retryStrategy: options.redis?.retryStrategy ?? ((times: number) => Math.min(50 * 2 ** Math.min(times, 5), 1_000)),
  };
  // Auto-pipelining: the commands issued in one event-loop turn (and while a batch awaits its
  // replies) go out as one write: scripts/benchWorkers.mjs profiled a worker's individual command
  // writes (directory scripts, a game's ZADD per score) as its largest cluster cost.
  const pub = new Redis(url, { ...base, enableAutoPipelining: options.redis?.enableAutoPipelining ?? true, connectionName: `hearth:${nodeId}:cmd` });
  const sub = new Redis(url, { ...base, connectionName: `hearth:${nodeId}:sub` });
  for (const [name, numberOfKeys, script] of SCRIPTS) pub.defineCommand(name, { numberOfKeys, lua: script });
  return { pub, sub };
}
