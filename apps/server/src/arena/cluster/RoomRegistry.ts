import type { ClusterRedis } from './ClusterBackplane.ts';

/**
 * Purges rooms whose node stopped refreshing them, then takes the fullest room with space and
 * reserves a slot in it (one atomic step, so two nodes placing at once do not both see the last
 * slot). KEYS: free (zset room → members), rooms (hash room → node), expiry (zset room → ms).
 * ARGV: capacity. Returns `[room, node]` or nil (no room with space: the caller opens one).
 */
const PLACE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local dead = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
for _, id in ipairs(dead) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
  redis.call('ZREM', KEYS[3], id)
end
local best = redis.call('ZREVRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '-inf', 'LIMIT', 0, 1)
if #best == 0 then return false end
local node = redis.call('HGET', KEYS[2], best[1])
if not node then
  redis.call('ZREM', KEYS[1], best[1])
  return false
end
redis.call('ZINCRBY', KEYS[1], 1, best[1])
return {best[1], node}
`;

/**
 * Registers rooms run by node ARGV[2] with their member counts, valid ARGV[1] ms (Redis clock).
 * ARGV[3..]: room, size, room, size, …
 */
const UPSERT = `
local t = redis.call('TIME')
local expires = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
for i = 3, #ARGV, 2 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[2])
  redis.call('ZADD', KEYS[1], tonumber(ARGV[i + 1]), ARGV[i])
  redis.call('ZADD', KEYS[3], expires, ARGV[i])
end
return 1
`;

/** Removes room ARGV[1] if node ARGV[2] still runs it. */
const REMOVE = `
if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
end
return 1
`;

/**
 * Arena's rooms in Redis, so a player on any node can be matched into a room run by any node.
 * Three keys under one hash tag (`{arena}`: every script stays in one Redis Cluster slot): member
 * counts of rooms (sorted set), the node running each room (hash), and when each registration lapses
 * (sorted set, Redis clock). The node running a room is the authority on its count: it writes the
 * real size at every join and leave and refreshes every room on a timer (which also re-registers
 * them after Redis comes back empty). A node that dies stops refreshing: its rooms are purged by the
 * next placement after the TTL.
 */
export class RoomRegistry {
  readonly #redis: ClusterRedis;
  readonly #keys: [string, string, string];
  readonly #nodeId: string;
  readonly #ttlMs: number;

  constructor(redis: ClusterRedis, prefix: string, nodeId: string, ttlMs: number) {
    this.#redis = redis;
    this.#keys = [`${prefix}{arena}:free`, `${prefix}{arena}:rooms`, `${prefix}{arena}:expiry`];
    this.#nodeId = nodeId;
    this.#ttlMs = ttlMs;
  }

  /** The room a new player should join and its node, with a slot reserved; undefined when none has space. */
  async place(capacity: number): Promise<{ room: string; node: string } | undefined> {
    const found = (await this.#redis.eval(PLACE, 3, ...this.#keys, capacity)) as [string, string] | null;
    return found === null ? undefined : { room: found[0], node: found[1] };
  }

  /** Registers (or refreshes) rooms run by this node with their member counts. */
  async upsert(rooms: ReadonlyArray<readonly [room: string, size: number]>): Promise<void> {
    if (rooms.length === 0) return;
    await this.#redis.eval(UPSERT, 3, ...this.#keys, this.#ttlMs, this.#nodeId, ...rooms.flat());
  }

  /** Unregisters a room of this node (it closed). */
  async remove(room: string): Promise<void> {
    await this.#redis.eval(REMOVE, 3, ...this.#keys, room, this.#nodeId);
  }

  /** Every registered room with its node (for tests and the admin view). */
  async list(): Promise<Record<string, string>> {
    return this.#redis.hgetall(this.#keys[1]);
  }
}
