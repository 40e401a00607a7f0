/*
 * Lua of room ownership and checkpoints (RedisRoomStore). Every key is under the `{rooms}` hash tag
 * (one slot: the scripts run unchanged on Redis Cluster). An owner entry is "EPOCH|NODEID"; every
 * change of owner bumps the epoch, and a write names the epoch it holds: a node that lost a room
 * (its lease lapsed and a survivor claimed it) has its later writes refused (fencing).
 */

/** Takes a new room: KEYS owner hash, node's set, owners set; ARGV roomId, nodeId. 1, or the current owner. */
export const ROOM_OWN = `
if redis.call('HSETNX', KEYS[1], ARGV[1], '1|' .. ARGV[2]) == 1 then
  redis.call('SADD', KEYS[2], ARGV[1])
  redis.call('SADD', KEYS[3], ARGV[2])
  return 1
end
return redis.call('HGET', KEYS[1], ARGV[1])`;

/**
 * Fenced checkpoint write: KEYS owner hash, checkpoint key, node's set, owners set; ARGV roomId,
 * "EPOCH|NODE", bytes, nodeId. Writes while the owner entry is the writer's; an entry that is gone
 * (Redis restarted empty) is written back first. 1, or the other owner's entry (fenced).
 */
export const ROOM_WRITE = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('SADD', KEYS[3], ARGV[1])
  redis.call('SADD', KEYS[4], ARGV[4])
elseif cur ~= ARGV[2] then return cur end
redis.call('SET', KEYS[2], ARGV[3])
return 1`;

/**
 * Moves a room from one owner to another, only while it is still owned as ARGV[2] (one winner):
 * KEYS owner hash, from-node set, to-node set, owners set, checkpoint key; ARGV roomId, expected
 * "EPOCH|FROM", from node, to node. Returns {epoch, checkpoint or false}, or false when the owner changed.
 */
export const ROOM_MOVE = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur ~= ARGV[2] then return false end
local epoch = tonumber(string.match(cur, '^(%d+)|')) + 1
redis.call('HSET', KEYS[1], ARGV[1], epoch .. '|' .. ARGV[4])
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[4])
if redis.call('SCARD', KEYS[2]) == 0 then redis.call('SREM', KEYS[4], ARGV[3]) end
return {epoch, redis.call('GET', KEYS[5])}`;

/**
 * A disposed room: KEYS owner hash, node's set, owners set, checkpoint key; ARGV roomId, "EPOCH|NODE", nodeId.
 * Deletes its entry and checkpoint while it is still ours. 1, or 0.
 */
export const ROOM_RELEASE = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[4])
if redis.call('SCARD', KEYS[2]) == 0 then redis.call('SREM', KEYS[3], ARGV[3]) end
return 1`;

/** Reads a room this node owns: KEYS owner hash, checkpoint key; ARGV roomId. {owner or false, checkpoint or false}. */
export const ROOM_READ = `
return {redis.call('HGET', KEYS[1], ARGV[1]), redis.call('GET', KEYS[2])}`;

/**
 * A live room registered again after Redis came back empty (or lost its entries): its ownership
 * with the epoch its node holds, a fresh checkpoint (unless ARGV[4] is ''), and, when its directory
 * hash is gone, that hash (seats = its members) with the open and kind indexes (RoomDirectory.ts).
 * KEYS owner hash, node's set, owners set, checkpoint key, room hash. ARGV roomId, "EPOCH|NODE",
 * nodeId, bytes, kind, max, seats, locked, private, filter, options JSON, meta, created (ms: its place in the zsets), open zset
 * base, kind zset base. 1, or the other owner's entry (another node owns the room now: fenced).
 */
export const ROOM_REREGISTER = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur and cur ~= ARGV[2] then return cur end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[3])
if ARGV[4] ~= '' then redis.call('SET', KEYS[4], ARGV[4]) end
if redis.call('EXISTS', KEYS[5]) == 1 then return 1 end
redis.call('HSET', KEYS[5], 'kind', ARGV[5], 'max', ARGV[6], 'seats', ARGV[7], 'locked', ARGV[8], 'private', ARGV[9],
  'filter', ARGV[10], 'opts', ARGV[11], 'meta', ARGV[12], 'state', 'live', 'created', ARGV[13])
if ARGV[9] == '0' then
  if ARGV[8] == '0' and tonumber(ARGV[7]) < tonumber(ARGV[6]) then redis.call('ZADD', ARGV[14] .. ARGV[5] .. ':' .. ARGV[10], ARGV[13], ARGV[1]) end
  redis.call('ZADD', ARGV[15] .. ARGV[5], ARGV[13], ARGV[1])
end
return 1`;

/** Name, key count and source of each script (defined once per connection). */
export const ROOM_SCRIPTS: ReadonlyArray<readonly [string, number, string]> = [
  ['hearthRoomOwn', 3, ROOM_OWN],
  ['hearthRoomWrite', 4, ROOM_WRITE],
  ['hearthRoomMove', 5, ROOM_MOVE],
  ['hearthRoomRelease', 4, ROOM_RELEASE],
  ['hearthRoomRead', 2, ROOM_READ],
  ['hearthRoomReregister', 5, ROOM_REREGISTER],
];
