import { definePlayer, type Player } from '@hearth/actor';
import { timed, type ObserveTime } from '../admin/timed.ts';
import { ARENA } from './constants.ts';
import { Echo, Leaderboard, Whisper, Whispered } from './messages.ts';
import type { ScoreBoard } from './rules/Leaderboard.ts';

/** Options of {@link defineArenaPlayer}. */
export interface ArenaPlayerOptions {
  /** The board `arena.leaderboard` reads (the one the rooms record tags on). */
  leaderboard: ScoreBoard;
  /** Called with each request's handling time (for the admin endpoint's latency histogram). */
  observe?: ObserveTime;
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
  return definePlayer()
    .handle(Leaderboard, timed(observe, Leaderboard.name, (_p, { top }) =>
      Promise.resolve(leaderboard.top(Math.min(top, ARENA.leaderboardMax), now())).then((entries) => ({ entries })),
    ))
    // `deliver` reaches the user on any node; it rejects BACKPLANE_UNAVAILABLE at once while Redis
    // is down, which the client gets as the request's error code.
    .handle(Whisper, timed(observe, Whisper.name, (player: Player, { to, text }) =>
      player.deliver(to, Whispered, { from: player.userId, text }).then((delivered) => ({ delivered })),
    ))
    .handle(Echo, timed(observe, Echo.name, (_p, { t }) => ({ t })));
}
