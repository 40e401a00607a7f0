import type { JoinReply, LeaderboardEntry } from './messages.ts';
import type { RoomAnswer } from './roomMachine.ts';

/** A value now (in-memory, a room on this node) or later (a room on another node, Redis). */
export type Maybe<T> = T | Promise<T>;

/**
 * Where a player sits: its room, its player number there and, in a cluster, the node that runs the
 * room. Plain data (it lives in `player.data`, which a cross-node resume carries through Redis).
 */
export interface Seat {
  readonly room: string;
  readonly pid: number;
  /** Node running the room (cluster mode); absent in memory. */
  readonly node?: string | null;
}

/** Who asks to join. */
export interface Joiner {
  readonly userId: string;
  readonly name: string;
}

/**
 * What Arena's player actor uses of the game world, whatever runs it: {@link ArenaWorld} (one
 * process, the default) or `ClusterArena` (rooms shared by every node through Redis). The player
 * code (`arenaPlayer.ts`) is the same for both; `startServer` chooses one at start-up.
 *
 * Calls that need an answer return it at once when the room is on this node and a promise when it
 * is on another node; refusals are coded answers, never throws.
 */
export interface Arena extends Disposable {
  /** Matches `who` into a room with space (or a new one) and seats it there. */
  join(who: Joiner): Maybe<RoomAnswer<{ seat: Seat; reply: JoinReply }>>;
  /** Moves the seated player (refusals are pushed to the player as `arena.rejected`). */
  move(seat: Seat, x: number, y: number): void;
  /** Says something to the seat's room (refusals are pushed as `arena.rejected`). */
  chat(seat: Seat, text: string): void;
  /** The seated player tags player `target` of its room. */
  tag(seat: Seat, target: number): Maybe<RoomAnswer<{ score: number }>>;
  /** The room's full synchronised state, for a client whose mirror missed a patch. */
  fullState(seat: Seat): Maybe<RoomAnswer<Uint8Array>>;
  /** The player leaves its room (idempotent). */
  leave(seat: Seat): void;
  /** The `n` best scores of the whole game (all nodes in a cluster). */
  top(n: number): Maybe<LeaderboardEntry[]>;
  /** Game gauges for the admin endpoint, e.g. `{ arena_rooms: 3 }`. */
  gauges(): Record<string, number>;
}
