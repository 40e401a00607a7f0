import { definePlayer, type Player } from '@hearth/actor';
import { ARENA } from './constants.ts';
import { Echo, Leaderboard, Whisper, Whispered } from './messages.ts';
import type { ScoreBoard } from './rules/Leaderboard.ts';

/** Options of {@link defineArenaPlayer}. */
export interface ArenaPlayerOptions {
  /** The board `arena.leaderboard` reads (the one the rooms record tags on). */
  leaderboard: ScoreBoard;
  /** Called with each request's handling time (for the admin endpoint's latency histogram). */
  observe?: (type: string, seconds: number) => void;
  /** Clock in ms for the leaderboard's staleness. @defaultValue Date.now */
  now?: () => number;
}

/**
 * Arena's player: what is not a room's. The room (`arenaRoom.ts`) has moves, chat, tags and the
 * state, and clients join it with the framework's `room.joinOrCreate`; the player answers the
 * leaderboard, an echo and whispers to a user on any node.
 *
 * @example
 * const node = await createNode({ service, player: defineArenaPlayer({ leaderboard }), rooms: [defineArenaRoom({ leaderboard })], authenticate });
 */
export function defineArenaPlayer(options: ArenaPlayerOptions) {
  const { leaderboard, observe } = options;
  const now = options.now ?? Date.now;
  const timed = <R>(type: string, out: R): R => {
    if (observe === undefined) return out;
    const t0 = performance.now();
    const done = () => observe(type, (performance.now() - t0) / 1000);
    if (out instanceof Promise) void out.then(done, done);
    else done();
    return out;
  };
  return definePlayer()
    .handle(Leaderboard, (_p, { top }) =>
      timed(Leaderboard.name, Promise.resolve(leaderboard.top(Math.min(top, ARENA.leaderboardMax), now())).then((entries) => ({ entries }))),
    )
    // `deliver` reaches the user on any node; it rejects BACKPLANE_UNAVAILABLE at once while Redis
    // is down, which the client gets as the request's error code.
    .handle(Whisper, (player: Player, { to, text }) =>
      timed(Whisper.name, player.deliver(to, Whispered, { from: player.userId, text }).then((delivered) => ({ delivered }))),
    )
    .handle(Echo, (_p, { t }) => timed(Echo.name, { t }));
}
