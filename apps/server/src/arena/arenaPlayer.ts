import { definePlayer, type Player, type PlayerDefinition } from '@hearth/actor';
import { HearthError } from '@hearth/protocol';
import { ARENA, ArenaErrorCode } from './constants.ts';
import type { ArenaWorld, RoomActor } from './ArenaWorld.ts';
import { Chat, Echo, Join, Leaderboard, Move, Rejected, Tag, type JoinReply } from './messages.ts';
import { createArenaPlayer, type ArenaPlayer } from './rules/ArenaPlayer.ts';
import type { RoomAnswer } from './roomMachine.ts';

/** Arena's per-player data, in the player actor's context (`player.data`). */
export interface ArenaPlayerData {
  /** Rule state, once in a room. */
  me: ArenaPlayer | undefined;
  /** The room actor, once in a room. */
  room: RoomActor | undefined;
}

/** Options of {@link defineArenaPlayer}. */
export interface ArenaPlayerOptions {
  /** Called with each request's handling time (for the admin endpoint's latency histogram). */
  observe?: (type: string, seconds: number) => void;
}

/** Events the Arena game region takes besides routed messages. */
export type ArenaEvent = { type: 'arena.refused' };

/** Every statechart event of Arena's player (routed messages and {@link ArenaEvent}). */
export type ArenaPlayerEvents = ReturnType<typeof defineArenaPlayer> extends PlayerDefinition<ArenaPlayerData, infer E> ? E : never;

/**
 * Arena's player: the Hearth session machine extended with a game region `lobby → inRoom`, plus
 * fast-path handlers for the high-rate messages. This is the pattern to copy:
 * - a message that changes the player's state (`arena.join`) is **routed** into the statechart;
 * - a message that only reads or feeds state (moves, chat, tags) is **handled** on the fast path,
 *   without a transition, and forwarded to the room actor that owns the shared state;
 * - the `onLeave` hook cleans up (leaves the room) whether the player quit, timed out or was kicked.
 *
 * @example
 * const world = new ArenaWorld({ outbox: holder });
 * const node = await createNode({ service, player: defineArenaPlayer(world), authenticate: devAuthenticator });
 */
export function defineArenaPlayer(world: ArenaWorld, options: ArenaPlayerOptions = {}) {
  const timed = <A extends unknown[], R>(type: string, fn: (...args: A) => R): ((...args: A) => R) => {
    const observe = options.observe;
    if (observe === undefined) return fn;
    return (...args) => {
      const t0 = performance.now();
      try {
        return fn(...args);
      } finally {
        observe(type, (performance.now() - t0) / 1000);
      }
    };
  };

  return definePlayer<ArenaPlayerData>({ data: () => ({ me: undefined, room: undefined }) })
    .events<ArenaEvent>()
    .route('join', Join)
    .handle(
      Move,
      (player, { x, y }) => {
        const { me, room } = player.data;
        if (me === undefined || room === undefined) {
          player.push(Rejected, { code: ArenaErrorCode.NOT_IN_ROOM, text: 'send arena.join first' });
          return;
        }
        room.send({ type: 'move', pid: me.pid, x, y, now: world.now() });
      },
    )
    .handle(Chat, (player, { text }) => {
      const { me, room } = player.data;
      if (me === undefined || room === undefined) {
        player.push(Rejected, { code: ArenaErrorCode.NOT_IN_ROOM, text: 'send arena.join first' });
        return;
      }
      room.send({ type: 'chat', pid: me.pid, text, now: world.now() });
    })
    .handle(
      Tag,
      timed(Tag.name, (player: Player<ArenaPlayerData>, { target }: { target: number }) => {
        const { me, room } = player.data;
        if (me === undefined || room === undefined) throw new HearthError(ArenaErrorCode.NOT_IN_ROOM, 'send arena.join first');
        let answer: RoomAnswer<{ score: number }> | undefined;
        // Room actors process events synchronously, so the answer is set when `send` returns.
        room.send({ type: 'tag', pid: me.pid, target, now: world.now(), answer: (a) => (answer = a) });
        if (answer === undefined) throw new HearthError(ArenaErrorCode.NOT_IN_ROOM, 'the room has closed');
        if (!answer.ok) throw new HearthError(answer.code, answer.text);
        return answer.value;
      }),
    )
    .handle(
      Leaderboard,
      timed(Leaderboard.name, (_player: Player<ArenaPlayerData>, { top }: { top: number }) => ({
        entries: world.leaderboard.top(Math.min(top, ARENA.leaderboardMax), world.now()),
      })),
    )
    .handle(
      Echo,
      timed(Echo.name, (_player: Player<ArenaPlayerData>, { t }: { t: number }) => ({ t })),
    )
    .game({
      initial: 'lobby',
      states: {
        lobby: {
          on: {
            join: {
              target: 'inRoom',
              actions: ({ context, event }) => {
                const t0 = performance.now();
                const player = context.player;
                const at = world.spawn();
                const me = createArenaPlayer(world.nextPid(), player.userId, player.userId, at.x, at.y, world.now());
                const room = world.place(me.pid, player);
                let answer: RoomAnswer<JoinReply> | undefined;
                room.send({ type: 'join', player: me, answer: (a) => (answer = a) });
                if (answer?.ok) {
                  player.data = { me, room };
                  event.reply(answer.value);
                } else {
                  world.forget(me.pid);
                  event.fail(answer?.code ?? ArenaErrorCode.ROOM_FULL, answer?.text ?? 'no room could take you; try again');
                  player.raise({ type: 'arena.refused' });
                }
                options.observe?.(Join.name, (performance.now() - t0) / 1000);
              },
            },
          },
        },
        inRoom: {
          on: {
            join: { actions: ({ event }) => event.fail(ArenaErrorCode.ALREADY_IN_ROOM, 'you are already in a room') },
            'arena.refused': { target: 'lobby' },
          },
        },
      },
    })
    .hooks({
      onLeave: (player) => {
        const { me, room } = player.data;
        if (me === undefined || room === undefined) return;
        room.send({ type: 'leave', pid: me.pid });
        world.forget(me.pid);
        player.data = { me: undefined, room: undefined };
      },
    });
}
