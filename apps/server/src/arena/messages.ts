/**
 * Arena's message definitions: the one module the server and the bots (and any other client)
 * import, as `@hearth/server/messages`. Types 100..199 are Arena's; 0..99 are Hearth's own
 * (`login` = 1, `resume` = 2 come from `@hearth/protocol`).
 *
 * Conventions: `C→S` messages carry a `validate` guard (a request failing it is answered
 * `BAD_REQUEST`), `S→C` ones are trusted. Positions are integer world units.
 *
 * @example
 * import { Move, StatePatch, arenaMessages } from '@hearth/server/messages';
 * ref.send(Move, { x: 10, y: 20 });
 */
import { MessageRegistry, defineMessage } from '@hearth/protocol';
import { i32, map, string, struct, u16 } from '@hearth/state';

export { ARENA, ArenaErrorCode } from './constants.ts';

/** A room member as the join reply and `arena.memberJoined` describe it. */
export interface MemberInfo {
  /** Player number, unique on the server while the player is connected. */
  pid: number;
  name: string;
  x: number;
  y: number;
  score: number;
}

/** Reply to {@link Join}. */
export interface JoinReply {
  room: string;
  /** Your player number (the state's `players` key; chat and tags use it). */
  you: number;
  /** Everyone in the room, you included, with positions. */
  members: MemberInfo[];
  /**
   * The room's full {@link ArenaState} (docs/protocol.md §13) for a `Mirror(ArenaState)`, which the
   * room's {@link StatePatch} pushes then keep up to date.
   */
  state: Uint8Array;
}

/** One player of {@link ArenaState}. */
export const ArenaPlayerState = struct({ name: string, x: u16, y: u16, score: u16 });

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

/** C→S request: be matched into a room (up to 16 players); answered with the room and its members. */
export const Join = defineMessage<Record<string, never>, JoinReply>(100, 'arena.join', {
  validate: (p): p is Record<string, never> => p === undefined || p === null || isRecord(p),
});

/** C→S push: go to `(x, y)`. Too fast or off the plane: an `arena.rejected` push with the kept position. */
export const Move = defineMessage<{ x: number; y: number }>(101, 'arena.move', {
  validate: (p): p is { x: number; y: number } => isRecord(p) && isFiniteNumber(p['x']) && isFiniteNumber(p['y']),
});

// Type 102 was `arena.snapshot` (a flat array of who moved), replaced by `arena.state`: not reused.

/**
 * S→C push, once per room tick when the state changed (a move, a join, a leave, a score): a state
 * patch (docs/protocol.md §13) for the client's `Mirror(ArenaState)`, encoded once per room.
 */
export const StatePatch = defineMessage<Uint8Array>(114, 'arena.state');

/** C→S request: the room's full state again (after a `STATE_SEQ_GAP`); answered with its bytes. */
export const FullState = defineMessage<Record<string, never>, Uint8Array>(115, 'arena.fullState', {
  validate: (p): p is Record<string, never> => p === undefined || p === null || isRecord(p),
});

/** S→C push to the room: someone joined. */
export const MemberJoined = defineMessage<MemberInfo>(103, 'arena.memberJoined');

/** S→C push to the room: someone left. */
export const MemberLeft = defineMessage<{ pid: number }>(104, 'arena.memberLeft');

/** C→S push: say something to your room (at most `ARENA.chatMaxLength` characters). */
export const Chat = defineMessage<{ text: string }>(105, 'arena.chat', {
  validate: (p): p is { text: string } => isRecord(p) && typeof p['text'] === 'string',
});

/** S→C push to the room: a chat line (the sender gets it too). */
export const ChatLine = defineMessage<{ from: number; name: string; text: string }>(106, 'arena.chatLine');

/** C→S request: tag player `target` of your room; within `ARENA.tagRadius` it scores, replying your new score. */
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

/** Every Arena definition; hand it to the binder (server) or use it to name types in logs (clients). */
export const arenaMessages = new MessageRegistry([
  Join,
  Move,
  MemberJoined,
  MemberLeft,
  Chat,
  ChatLine,
  Tag,
  Tagged,
  Leaderboard,
  Rejected,
  Echo,
  Whisper,
  Whispered,
  StatePatch,
  FullState,
]);
