/**
 * Arena's message definitions: the one module the server and the bots (and any other client)
 * import, as `@hearth/server/messages`. Types 100..199 are Arena's; 0..99 are Hearth's own
 * (`login`, `resume`, and the rooms' `room.joinOrCreate`, `room.send`, `room.push`, `room.state`...).
 *
 * A client joins with `room.joinOrCreate` (kind {@link ARENA_ROOM}, options `{ name }`), then
 * addresses the room's messages (move, chat, tag, whereAmI, fullState) to it in a `room.send`
 * envelope `[roomId, type, payload]`; the room's pushes arrive as `room.push` envelopes and its
 * {@link ArenaState} as `room.state` patches. Leaderboard, echo and whisper go to the player.
 *
 * Conventions: `C→S` messages carry a `validate` guard (a request failing it is answered
 * `BAD_REQUEST`), `S→C` ones are trusted. Positions are integer world units.
 *
 * @example
 * import { ARENA_ROOM, Move } from '@hearth/server/messages';
 * const { roomId } = await client.request(RoomJoinOrCreate, { kind: ARENA_ROOM, options: { name: 'ann' } });
 * client.send(RoomSend, [roomId, Move.type, { x: 10, y: 20 }]);
 */
import { defineMessage } from '@hearth/protocol';
import { delta, i32, map, string, struct, u16 } from '@hearth/state';

export { ARENA, ArenaErrorCode } from './constants.ts';

/** The room kind clients join (`room.joinOrCreate`). */
export const ARENA_ROOM = 'arena';

/** A room member as `arena.memberJoined` describes it. */
export interface MemberInfo {
  /** Player number in the room (the state's `players` key; chat and tags use it). */
  pid: number;
  name: string;
  x: number;
  y: number;
  score: number;
}

/**
 * One player of {@link ArenaState}: `user` is its user id (what `arena.whisper` takes; a room
 * restored from its checkpoint finds its members by it), sent once, when the player appears.
 * Positions are `delta(u16)`: a patch carries a move as its change (1 byte per axis for a step of
 * under 64 units), a full state the position itself.
 */
export const ArenaPlayerState = struct({ user: string, name: string, x: delta(u16), y: delta(u16), score: u16 });

/**
 * A room's synchronised state, by player number: what a `Mirror(ArenaState)` holds on every client
 * in the room (positions, names and scores; events such as chat and tags stay messages).
 */
export const ArenaState = struct({ players: map(i32, ArenaPlayerState) });

/** One leaderboard line. */
export interface LeaderboardEntry {
  name: string;
  score: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

// Type 100 was `arena.join` (matching is the framework's `room.joinOrCreate` now): not reused.

/** C→S push to the room: go to `(x, y)`. Too fast or off the plane: an `arena.rejected` push with the kept position. */
export const Move = defineMessage<{ x: number; y: number }>(101, 'arena.move', {
  validate: (p): p is { x: number; y: number } => isRecord(p) && isFiniteNumber(p['x']) && isFiniteNumber(p['y']),
});

// Retired types, not reused: 102 `arena.snapshot`, 114 `arena.state` (patches are the framework's
// `room.state`), 115 `arena.fullState` (a client resynchronises by joining the room again).

/**
 * C→S request to the room: where am I: the room, your player number and name there, your position
 * (the state's `players` entry shows you from the room's next tick on).
 */
export const WhereAmI = defineMessage<Record<string, never>, { roomId: string; pid: number; name: string; x: number; y: number }>(116, 'arena.whereAmI', {
  validate: (p): p is Record<string, never> => p === undefined || p === null || isRecord(p),
});

/** S→C push to the room: someone joined. */
export const MemberJoined = defineMessage<MemberInfo>(103, 'arena.memberJoined');

/** S→C push to the room: someone left. */
export const MemberLeft = defineMessage<{ pid: number }>(104, 'arena.memberLeft');

/** C→S push to the room: say something (at most `ARENA.chatMaxLength` characters). */
export const Chat = defineMessage<{ text: string }>(105, 'arena.chat', {
  validate: (p): p is { text: string } => isRecord(p) && typeof p['text'] === 'string',
});

/** S→C push to the room: a chat line (the sender gets it too). */
export const ChatLine = defineMessage<{ from: number; name: string; text: string }>(106, 'arena.chatLine');

/** C→S request to the room: tag player `target`; within `ARENA.tagRadius` it scores, replying your new score. */
export const Tag = defineMessage<{ target: number }, { score: number }>(107, 'arena.tag', {
  validate: (p): p is { target: number } => isRecord(p) && Number.isInteger(p['target']),
});

/** S→C push to the room: `by` tagged `target` and now has `score`. */
export const Tagged = defineMessage<{ by: number; target: number; score: number }>(108, 'arena.tagged');

/** C→S request: the `top` best scores of the whole server (at most `ARENA.leaderboardMax`). */
export const Leaderboard = defineMessage<{ top: number }, { entries: LeaderboardEntry[] }>(109, 'arena.leaderboard', {
  validate: (p): p is { top: number } => isRecord(p) && Number.isInteger(p['top']) && (p['top'] as number) > 0,
});

/** S→C push: a one-way message was refused (`code` is an `ArenaErrorCode`); `x`, `y` is your kept position. */
export const Rejected = defineMessage<{ code: string; text: string; x?: number; y?: number }>(110, 'arena.rejected');

/** C→S request: echo `t` (a cheap round trip for liveness and RTT). */
export const Echo = defineMessage<{ t: number }, { t: number }>(111, 'arena.echo', {
  validate: (p): p is { t: number } => isRecord(p) && isFiniteNumber(p['t']),
});

/**
 * C→S request: a private line to user `to`, wherever it is connected (another node in a cluster).
 * Replies whether it was delivered (`false`: logged in nowhere); while Redis is down a user on
 * another node cannot be reached and the request fails with `BACKPLANE_UNAVAILABLE`.
 */
export const Whisper = defineMessage<{ to: string; text: string }, { delivered: boolean }>(112, 'arena.whisper', {
  validate: (p): p is { to: string; text: string } =>
    isRecord(p) && isUserId(p['to']) && typeof p['text'] === 'string' && p['text'].length <= 200,
});

/**
 * A user id as `@hearth/actor` accepts it (`USER_ID_FORMAT`: 1-64 of A-Z a-z 0-9 _ . : @ -), checked
 * here too so that a malformed `to` is refused `BAD_REQUEST` before it is looked up (it would
 * otherwise become a Redis key name). Inlined: this module is imported by browser clients.
 */
function isUserId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && /^[\w.:@-]{1,64}$/.test(value);
}

/** S→C push: a whisper from user `from`. */
export const Whispered = defineMessage<{ from: string; text: string }>(113, 'arena.whispered');
