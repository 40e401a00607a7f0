/*
 * Lua of the cluster's room directory (RoomDirectory.ts describes the keys). Every key is under the
 * `{rooms}` hash tag, so each script stays in one slot (Redis Cluster). A room hash is
 * `{p}{rooms}:r:ID` with fields kind, max, seats, locked, private, filter, opts, meta, state, created;
 * its node is the owner entry "EPOCH|NODE" in `{p}{rooms}:owner` (shared with the checkpoint store).
 */

/** The node of an owner entry "EPOCH|NODE" (Lua helper, inlined). */
const NODE_OF = `local function nodeOf(owner) return string.match(owner, '^%d+|(.+)$') end`;

/**
 * joinOrCreate, atomically. Candidates: the joiner's node's own open rooms of the kind (ARGV[11..],
 * oldest first: it knows them), then the 32 oldest open rooms of the kind and filter, then the 8
 * newest (rooms reserved for creation a moment ago, not yet known to their node). A seat goes to
 * the first candidate on the joiner's node (ARGV[9]); else, with placement `fill` (ARGV[10]) or
 * when the new room would go to another node (ARGV[3] ~= ARGV[9]: the joiner's is at capacity), to
 * the oldest open room on any node; else a new room is registered on ARGV[3]. So with placement
 * `local` a node keeps at most one partly filled room per kind and filter open at a time, and its
 * players' rooms stay on it.
 * KEYS open zset, kind zset, owner hash, fresh room hash, fresh room's node set, owners set.
 * ARGV room hash base, fresh id, target node, kind, max, filter, options JSON, now ms, joiner's
 * node, placement ('local' | 'fill'), candidate room ids....
 * Returns {'join'|'create', roomId, nodeId, state, options JSON}.
 */
export const ROOM_JOIN_OR_CREATE = `${NODE_OF}
local anyNode = ARGV[10] ~= 'local' or ARGV[3] ~= ARGV[9]
local pick, pickNode, pickF
-- A room with a free seat (its node and fields), or nil; a listed room that is not is dropped from the open zset.
local function open(id, listed)
  local f = redis.call('HMGET', ARGV[1] .. id, 'seats', 'max', 'locked', 'private', 'state', 'opts', 'kind', 'filter')
  local owner = redis.call('HGET', KEYS[3], id)
  local node = owner and nodeOf(owner)
  if f[1] and node and f[3] == '0' and f[4] == '0' and f[7] == ARGV[4] and f[8] == ARGV[6] and tonumber(f[1]) + 1 <= tonumber(f[2]) then return node, f end
  if listed then redis.call('ZREM', KEYS[1], id) end
  return nil
end
for i = 11, #ARGV do
  local node, f = open(ARGV[i], false)
  if node == ARGV[9] then pick, pickNode, pickF = ARGV[i], node, f break end
end
if not pick then
  local ids = redis.call('ZRANGE', KEYS[1], 0, 31)
  local n = redis.call('ZCARD', KEYS[1])
  if n > 32 then for _, id in ipairs(redis.call('ZRANGE', KEYS[1], math.max(32, n - 8), -1)) do ids[#ids + 1] = id end end
  local first, firstNode, firstF
  for _, id in ipairs(ids) do
    local node, f = open(id, true)
    if node == ARGV[9] then pick, pickNode, pickF = id, node, f break end
    if node and not first then first, firstNode, firstF = id, node, f end
  end
  if not pick and anyNode then pick, pickNode, pickF = first, firstNode, firstF end
end
if pick then
  local seats = tonumber(pickF[1]) + 1
  redis.call('HSET', ARGV[1] .. pick, 'seats', seats)
  if seats >= tonumber(pickF[2]) then redis.call('ZREM', KEYS[1], pick) end
  return {'join', pick, pickNode, pickF[5], pickF[6]}
end
local now = tonumber(ARGV[8])
redis.call('HSET', KEYS[4], 'kind', ARGV[4], 'max', ARGV[5], 'seats', 1, 'locked', 0, 'private', 0,
  'filter', ARGV[6], 'opts', ARGV[7], 'meta', '', 'state', 'creating', 'created', now)
if tonumber(ARGV[5]) > 1 then redis.call('ZADD', KEYS[1], now, ARGV[2]) end
redis.call('ZADD', KEYS[2], now, ARGV[2])
redis.call('HSETNX', KEYS[3], ARGV[2], '1|' .. ARGV[3])
redis.call('SADD', KEYS[5], ARGV[2])
redis.call('SADD', KEYS[6], ARGV[3])
return {'create', ARGV[2], ARGV[3], 'creating', ARGV[7]}`;

/**
 * A new room with its creator's seat (create, or a private room). KEYS open zset, kind zset, owner
 * hash, room hash, node set, owners set. ARGV room id, node, kind, max, filter, options JSON, now,
 * private (0/1). Returns 1.
 */
export const ROOM_CREATE = `
local now = tonumber(ARGV[7])
redis.call('HSET', KEYS[4], 'kind', ARGV[3], 'max', ARGV[4], 'seats', 1, 'locked', 0, 'private', ARGV[8],
  'filter', ARGV[5], 'opts', ARGV[6], 'meta', '', 'state', 'creating', 'created', now)
if ARGV[8] == '0' then
  if tonumber(ARGV[4]) > 1 then redis.call('ZADD', KEYS[1], now, ARGV[1]) end
  redis.call('ZADD', KEYS[2], now, ARGV[1])
end
redis.call('HSETNX', KEYS[3], ARGV[1], '1|' .. ARGV[2])
redis.call('SADD', KEYS[5], ARGV[1])
redis.call('SADD', KEYS[6], ARGV[2])
return 1`;

/**
 * A seat in room ARGV[2] by id (private rooms too). KEYS room hash, owner hash. ARGV open zset
 * base, room id. Returns {'ok', nodeId, kind, state, options JSON} or {code}.
 */
export const ROOM_RESERVE = `${NODE_OF}
local f = redis.call('HMGET', KEYS[1], 'seats', 'max', 'locked', 'kind', 'filter', 'state', 'opts')
local owner = redis.call('HGET', KEYS[2], ARGV[2])
local node = owner and nodeOf(owner)
if not f[1] or not node then return {'ROOM_NOT_FOUND'} end
if f[3] == '1' then return {'ROOM_LOCKED'} end
local seats = tonumber(f[1]) + 1
if seats > tonumber(f[2]) then return {'ROOM_FULL'} end
redis.call('HSET', KEYS[1], 'seats', seats)
if seats >= tonumber(f[2]) then redis.call('ZREM', ARGV[1] .. f[4] .. ':' .. f[5], ARGV[2]) end
return {'ok', node, f[4], f[6], f[7]}`;

/**
 * Frees a seat (a join that failed, a member that left). KEYS room hash. ARGV open zset base, room
 * id. Returns the seats left, or -1 without a room.
 */
export const ROOM_RELEASE_SEAT = `
local f = redis.call('HMGET', KEYS[1], 'seats', 'max', 'locked', 'private', 'kind', 'filter', 'created')
if not f[1] then return -1 end
local seats = math.max(tonumber(f[1]) - 1, 0)
redis.call('HSET', KEYS[1], 'seats', seats)
if f[3] == '0' and f[4] == '0' and seats < tonumber(f[2]) then redis.call('ZADD', ARGV[1] .. f[5] .. ':' .. f[6], f[7], ARGV[2]) end
return seats`;

/**
 * The room node's view of its room: live (created), lock, privacy, metadata; a room created on its
 * node without a seat taken here (`node.rooms.create`) is registered with none. Seats only move by
 * the reserve/release scripts. Nothing changes while another node owns the room (handed over).
 * KEYS room hash, owner hash, node set, owners set. ARGV open zset base, kind zset base, room id,
 * locked, private, meta, kind, max, filter, options JSON, now, node. Returns 1, or 0 (not ours).
 */
export const ROOM_UPDATE = `${NODE_OF}
local owner = redis.call('HGET', KEYS[2], ARGV[3])
if owner and nodeOf(owner) ~= ARGV[12] then return 0 end
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'kind', ARGV[7], 'max', ARGV[8], 'seats', 0, 'filter', ARGV[9], 'opts', ARGV[10], 'created', ARGV[11])
  redis.call('HSETNX', KEYS[2], ARGV[3], '1|' .. ARGV[12])
  redis.call('SADD', KEYS[3], ARGV[3])
  redis.call('SADD', KEYS[4], ARGV[12])
end
local f = redis.call('HMGET', KEYS[1], 'seats', 'max', 'kind', 'filter', 'created')
redis.call('HSET', KEYS[1], 'locked', ARGV[4], 'private', ARGV[5], 'meta', ARGV[6], 'state', 'live')
local open = ARGV[1] .. f[3] .. ':' .. f[4]
if ARGV[4] == '0' and ARGV[5] == '0' and tonumber(f[1]) < tonumber(f[2]) then redis.call('ZADD', open, f[5], ARGV[3])
else redis.call('ZREM', open, ARGV[3]) end
if ARGV[5] == '0' then redis.call('ZADD', ARGV[2] .. f[3], f[5], ARGV[3]) else redis.call('ZREM', ARGV[2] .. f[3], ARGV[3]) end
return 1`;

/**
 * A disposed room leaves the directory, with its owner entry, while node ARGV[4] owns it (a room
 * handed to another node by a drain or a failover is that node's now: left as it is). KEYS room
 * hash, owner hash, node set. ARGV open zset base, kind zset base, room id, node. Returns 1, or 0
 * when another node owns the room.
 */
export const ROOM_REMOVE = `${NODE_OF}
local owner = redis.call('HGET', KEYS[2], ARGV[3])
if owner and nodeOf(owner) ~= ARGV[4] then return 0 end
local f = redis.call('HMGET', KEYS[1], 'kind', 'filter')
if f[1] then
  redis.call('ZREM', ARGV[1] .. f[1] .. ':' .. f[2], ARGV[3])
  redis.call('ZREM', ARGV[2] .. f[1], ARGV[3])
  redis.call('DEL', KEYS[1])
end
if owner then
  redis.call('HDEL', KEYS[2], ARGV[3])
  redis.call('SREM', KEYS[3], ARGV[3])
end
return 1`;

/**
 * Takes a room out of joinOrCreate's picks (its node did not answer) until its node (or the one
 * that restores it) updates it again. KEYS room hash. ARGV open zset base, room id. Returns 1.
 */
export const ROOM_SHELVE = `
local f = redis.call('HMGET', KEYS[1], 'kind', 'filter')
if f[1] then redis.call('ZREM', ARGV[1] .. f[1] .. ':' .. f[2], ARGV[2]) end
return 1`;

/**
 * Public rooms of a kind, oldest first. KEYS kind zset, owner hash. ARGV room hash base, limit,
 * filter ('' for any). Returns flat {id, seats, max, locked, meta, node} × n.
 */
export const ROOM_LIST = `${NODE_OF}
local limit = tonumber(ARGV[2])
local out = {}
local n = 0
local ids = redis.call('ZRANGE', KEYS[1], 0, limit * 4 - 1)
for _, id in ipairs(ids) do
  local f = redis.call('HMGET', ARGV[1] .. id, 'seats', 'max', 'locked', 'meta', 'filter', 'private')
  local owner = redis.call('HGET', KEYS[2], id)
  if f[1] and owner and f[6] == '0' and (ARGV[3] == '' or ARGV[3] == f[5]) then
    n = n + 1
    out[#out + 1] = id; out[#out + 1] = f[1]; out[#out + 1] = f[2]; out[#out + 1] = f[3]; out[#out + 1] = f[4]; out[#out + 1] = nodeOf(owner) or ''
    if n >= limit then break end
  end
end
return out`;

/** Name, key count and source of every room directory script. */
export const ROOM_DIRECTORY_SCRIPTS: ReadonlyArray<readonly [name: string, keys: number, lua: string]> = [
  ['hearthRoomJoinOrCreate', 6, ROOM_JOIN_OR_CREATE],
  ['hearthRoomCreate', 6, ROOM_CREATE],
  ['hearthRoomReserve', 2, ROOM_RESERVE],
  ['hearthRoomReleaseSeat', 1, ROOM_RELEASE_SEAT],
  ['hearthRoomUpdate', 4, ROOM_UPDATE],
  ['hearthRoomRemove', 3, ROOM_REMOVE],
  ['hearthRoomList', 2, ROOM_LIST],
  ['hearthRoomShelve', 1, ROOM_SHELVE],
];
