/**
 * Lua scripts of the Redis backplane. Each touches keys of one hash slot only (see ClusterKeys), so
 * they run unchanged on Redis Cluster. ioredis sends them with EVALSHA and falls back to EVAL after
 * a restart flushed the script cache.
 */

/** Compare-and-delete: deletes KEYS[1] only while it still holds ARGV[1] (this node's entry). */
export const COMPARE_AND_DELETE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Compare-and-expire: refreshes the TTL (ARGV[2] ms) of KEYS[1] only while it still holds ARGV[1]. */
export const COMPARE_AND_EXPIRE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/**
 * Re-registration after an outage: writes ARGV[1] (TTL ARGV[2] ms) when the key is absent or already
 * ours; otherwise leaves it and returns the other entry so the caller can settle who is newer.
 */
export const SET_IF_ABSENT_OR_SAME = `
local cur = redis.call('GET', KEYS[1])
if (not cur) or cur == ARGV[1] then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return false end
return cur`;

/**
 * Node heartbeat on the registry (KEYS[1] zset of expiry times, KEYS[2] info hash): prunes expired
 * nodes, then (re)registers ARGV[1] until now + ARGV[2] ms with info ARGV[3]. Uses the Redis clock,
 * so nodes with skewed clocks agree on who is alive. Returns the Redis time in ms.
 */
export const NODE_BEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
if #dead > 0 then
  redis.call('ZREM', KEYS[1], unpack(dead))
  redis.call('HDEL', KEYS[2], unpack(dead))
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 4)
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]) * 4)
return now`;

/** Live nodes: flat list [nodeId, expiresAt, info, ...] (Redis clock). */
export const NODE_LIST = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf', 'WITHSCORES')
local out = {}
for i = 1, #live, 2 do
  out[#out + 1] = live[i]
  out[#out + 1] = live[i + 1]
  out[#out + 1] = redis.call('HGET', KEYS[2], live[i]) or ''
end
return out`;

/** Leaves the registry (drain). */
export const NODE_LEAVE = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1`;

/**
 * Parks a resume record (KEYS[1] hash, KEYS[2] queue list) for ARGV[1] ms:
 * ARGV[2] user, ARGV[3] node, ARGV[4] session, ARGV[5] snapshot bytes, ARGV[6..] queued messages.
 */
export const RESUME_PARK = `
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'user', ARGV[2], 'node', ARGV[3], 'session', ARGV[4], 'snap', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
if #ARGV > 5 then
  redis.call('RPUSH', KEYS[2], unpack(ARGV, 6))
  redis.call('PEXPIRE', KEYS[2], ARGV[1])
end
return 1`;

/**
 * Appends a queued push ARGV[1] to an unclaimed record, keeping at most ARGV[2] entries.
 * Returns the queue length, 0 when there is no record, -1 when it is full, or the id of the node
 * that claimed it (the push must follow the player there).
 */
export const RESUME_APPEND = `
local r = redis.call('HMGET', KEYS[1], 'node', 'claimed')
if not r[1] then return 0 end
if r[2] then return r[2] end
if redis.call('LLEN', KEYS[2]) >= tonumber(ARGV[2]) then return -1 end
local n = redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[2], redis.call('PTTL', KEYS[1]))
return n`;

/**
 * Claims a record for node ARGV[1]: returns {user, node, session, snapshot, {queued...}} once, marks
 * it claimed (kept ARGV[2] ms so late appends learn where the player went), or false when the record
 * is missing or already claimed.
 */
export const RESUME_CLAIM = `
local r = redis.call('HMGET', KEYS[1], 'user', 'node', 'session', 'snap', 'claimed')
if (not r[1]) or r[5] then return false end
local q = redis.call('LRANGE', KEYS[2], 0, -1)
redis.call('DEL', KEYS[2])
redis.call('HDEL', KEYS[1], 'snap')
redis.call('HSET', KEYS[1], 'claimed', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {r[1], r[2], r[3], r[4], q}`;

/**
 * Discards an unclaimed record (its actor ended on the parking node). Returns 1 when deleted, 0 when
 * there is no record, or the id of the node that claimed it first.
 */
export const RESUME_DISCARD = `
local r = redis.call('HMGET', KEYS[1], 'node', 'claimed')
if not r[1] then return 0 end
if r[2] then return r[2] end
redis.call('DEL', KEYS[1], KEYS[2])
return 1`;
