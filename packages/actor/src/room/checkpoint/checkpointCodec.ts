import { BatchWriter, HearthError, decodeValue } from '@hearth/protocol';
import { isUserId } from '../../wireIds.ts';
import {
  CHECKPOINT_VERSION,
  DEFAULT_CHECKPOINT_MAX_BYTES,
  DEFAULT_CHECKPOINT_MAX_DEPTH,
  DEFAULT_CHECKPOINT_MAX_MEMBERS,
  type CheckpointLimits,
  type CheckpointMember,
  type PersistedLifecycle,
  type RoomCheckpoint,
} from './RoomCheckpoint.ts';

/** Code of a checkpoint that fails its checks (logged and counted by the caller, never thrown to a room). */
export const CHECKPOINT_INVALID = 'ROOM_CHECKPOINT_INVALID';

/** A room id as the manager makes them (base64url) and as a Redis key may hold it. */
export const ROOM_ID_FORMAT = /^[\w-]{1,64}$/;
const KIND_FORMAT = /^[\w.:-]{1,64}$/;

// One encoder for every checkpoint: the protocol's msgpack writer (so @msgpack/msgpack stays the
// protocol's dependency). A checkpoint is the msgpack value `[0, 0, body]`: a push of type 0.
const writer = new BatchWriter({ initialBytes: 4096 });

/** msgpack bytes of `checkpoint` (a fresh copy the caller owns). */
export function encodeCheckpoint(checkpoint: RoomCheckpoint): Uint8Array {
  writer.push(0, checkpoint);
  return writer.take().slice();
}

function bad(text: string): never {
  throw new HearthError(CHECKPOINT_INVALID, `bad room checkpoint: ${text}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function count(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) bad(`${what} must be an integer >= 0`);
  return v;
}

/**
 * Decodes and checks a checkpoint read from Redis: size before anything is decoded, bounded msgpack
 * ({@link decodeValue}: linear in the bytes), then every field's type and format (ids, kinds, user
 * ids as keys are checked). `full` is a view of `bytes`.
 * @throws {HearthError} `ROOM_CHECKPOINT_INVALID` naming the first problem.
 */
export function decodeCheckpoint(bytes: Uint8Array, limits: CheckpointLimits = {}): RoomCheckpoint {
  const maxBytes = limits.maxBytes ?? DEFAULT_CHECKPOINT_MAX_BYTES;
  if (bytes.length > maxBytes) bad(`${bytes.length} bytes > maxBytes ${maxBytes}`);
  let outer: unknown;
  try {
    outer = decodeValue(bytes, { maxDepth: limits.maxDepth ?? DEFAULT_CHECKPOINT_MAX_DEPTH });
  } catch (err) {
    bad(err instanceof Error ? err.message : String(err));
  }
  if (!Array.isArray(outer) || outer.length !== 3 || outer[0] !== 0 || outer[1] !== 0) bad('not a [0, 0, checkpoint] value');
  const c: unknown = outer[2];
  if (!isRecord(c)) bad('the body is not a map');
  if (c['v'] !== CHECKPOINT_VERSION) bad(`version ${String(c['v'])} (this node reads ${CHECKPOINT_VERSION})`);
  const kind = c['kind'];
  if (typeof kind !== 'string' || !KIND_FORMAT.test(kind)) bad('kind');
  const id = c['id'];
  if (typeof id !== 'string' || !ROOM_ID_FORMAT.test(id)) bad('id');
  const options = c['options'];
  if (!isRecord(options)) bad('options must be a map');
  const full = c['full'] ?? null;
  if (full !== null && !(full instanceof Uint8Array)) bad('full must be binary or nil');
  if (typeof c['locked'] !== 'boolean' || typeof c['private'] !== 'boolean') bad('locked/private must be booleans');
  const owner = c['owner'];
  if (typeof owner !== 'string' || owner.length === 0 || owner.length > 128) bad('owner');
  const epoch = count(c['epoch'], 'epoch');
  const at = c['at'];
  if (typeof at !== 'number' || !Number.isFinite(at)) bad('at');
  const members = checkMembers(c['members'], limits.maxMembers ?? DEFAULT_CHECKPOINT_MAX_MEMBERS);
  return {
    v: CHECKPOINT_VERSION,
    kind,
    id,
    options,
    state: c['state'] ?? null,
    full,
    metadata: c['metadata'] ?? null,
    locked: c['locked'],
    private: c['private'],
    tick: count(c['tick'], 'tick'),
    lifecycle: checkLifecycle(c['lifecycle']),
    members,
    owner,
    epoch,
    at,
  };
}

function checkMembers(v: unknown, max: number): CheckpointMember[] {
  if (!Array.isArray(v)) bad('members must be an array');
  if (v.length > max) bad(`${v.length} members > maxMembers ${max}`);
  const seen = new Set<string>();
  return v.map((m: unknown): CheckpointMember => {
    if (!isRecord(m)) bad('a member is not a map');
    const userId = m['userId'];
    if (!isUserId(userId)) bad('a member user id is malformed');
    if (seen.has(userId)) bad('a member appears twice');
    seen.add(userId);
    const options = m['options'];
    if (!isRecord(options)) bad('member options must be a map');
    const joinedAt = m['joinedAt'];
    if (typeof joinedAt !== 'number' || !Number.isFinite(joinedAt)) bad('member joinedAt');
    return { userId, options, joinedAt };
  });
}

function checkLifecycle(v: unknown): PersistedLifecycle | null {
  if (v === null || v === undefined) return null;
  if (!isRecord(v) || !isRecord(v['snapshot']) || !Array.isArray(v['roomKeys'])) bad('lifecycle');
  const roomKeys = v['roomKeys'] as unknown[];
  if (roomKeys.length > 64 || !roomKeys.every((k) => typeof k === 'string' && k.length <= 64)) bad('lifecycle room keys');
  return { snapshot: v['snapshot'], roomKeys: roomKeys as string[] };
}
