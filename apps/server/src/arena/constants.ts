/**
 * The rules of Arena as numbers. Both apps import them (through `@hearth/server/messages`), so a
 * bot moves exactly as fast as the server allows and tags from exactly as close as it accepts.
 */
export const ARENA = Object.freeze({
  /** The plane is `[0, worldSize]` on both axes, in world units. */
  worldSize: 1000,
  /** Players per room. */
  roomCapacity: 16,
  /** Top speed in world units per second; faster moves are rejected with `ARENA_TOO_FAST`. */
  maxSpeed: 200,
  /**
   * Seconds of movement a player may bank: moves that arrive bunched by the network (two in one
   * read) still pass, while a sustained speed above `maxSpeed` does not.
   */
  moveBurstSeconds: 1,
  /** A tag reaches players at most this far away. */
  tagRadius: 60,
  /** Minimum time between two tags by the same player, in ms. */
  tagCooldownMs: 1000,
  /** Longest chat line, in characters. */
  chatMaxLength: 200,
  /** Chat lines a player may send at once (token bucket, one token back every `chatRefillMs`). */
  chatBurst: 5,
  /** Refill period of one chat token, in ms. */
  chatRefillMs: 1000,
  /** Room tick rate (state patches per second at most), in Hz. */
  tickHz: 20,
  /** Entries in a leaderboard reply at most. */
  leaderboardMax: 100,
});

/**
 * Coded refusals of the Arena rules. They travel as error replies to requests (`[3, rid, code,
 * text]`) or in an `arena.rejected` push for one-way messages, so clients switch on the code.
 * Joining and leaving are the framework's (`ROOM_FULL`, `NOT_IN_ROOM`, ...: docs/protocol.md §8.1).
 */
export const ArenaErrorCode = {
  /** A move covered more distance than the speed limit allows; the position was not changed. */
  TOO_FAST: 'ARENA_TOO_FAST',
  /** A move left the plane. */
  OUT_OF_BOUNDS: 'ARENA_OUT_OF_BOUNDS',
  /** The tag target is farther than `tagRadius`. */
  TOO_FAR: 'ARENA_TOO_FAR',
  /** The tagger tagged less than `tagCooldownMs` ago. */
  TAG_COOLDOWN: 'ARENA_TAG_COOLDOWN',
  /** The target is not in the tagger's room (it may just have left), or is the tagger. */
  NO_SUCH_PLAYER: 'ARENA_NO_SUCH_PLAYER',
  /** A chat line is empty or longer than `chatMaxLength`. */
  CHAT_TOO_LONG: 'ARENA_CHAT_TOO_LONG',
  /** The player chats faster than `chatBurst` lines per `chatRefillMs` refill. */
  CHAT_RATE_LIMITED: 'ARENA_CHAT_RATE_LIMITED',
} as const;
/** One of {@link ArenaErrorCode}. */
export type ArenaErrorCode = (typeof ArenaErrorCode)[keyof typeof ArenaErrorCode];
