import { definePlayer, type Player, type PlayerDefinition } from '@hearth/actor';
import { HearthError } from '@hearth/protocol';
import type { Arena, Maybe, Seat } from './Arena.ts';
import { ARENA, ArenaErrorCode } from './constants.ts';
import { Chat, Echo, FullState, Join, Leaderboard, Move, Rejected, Tag, Whisper, Whispered } from './messages.ts';

/**
 * Arena's per-player data, in the player actor's context (`player.data`). Plain data, so a resume
 * on another node (cluster mode) carries it through Redis.
 */
export interface ArenaPlayerData {
  /** Where the player sits, once in a room. */
  seat: Seat | undefined;
  /** The name others see: the login's display name (see {@link displayNameOf}); the user id when none. */
  name?: string | undefined;
}

/**
 * The name to show for a login, from what the authenticator added to its reply: an account's
 * `displayName` (the storage authenticators; an account's id is a UUID), the dev login's `name`.
 */
export function displayNameOf(login: Readonly<Record<string, unknown>>, userId: string): string {
  const name = login['displayName'] ?? login['name'];
  return typeof name === 'string' && name !== '' ? name : userId;
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

/** Applies `then` to a value now, or to a promise's value later (sync stays sync: no extra turn in memory). */
function settle<T, R>(value: Maybe<T>, then: (v: T) => R): R | Promise<R> {
  return value instanceof Promise ? value.then(then) : then(value);
}

/**
 * Arena's player: the Hearth session machine extended with a game region `lobby → inRoom`, plus
 * fast-path handlers for the high-rate messages. This is the pattern to copy:
 * - a message that changes the player's state (`arena.join`) is **routed** into the statechart;
 * - a message that only reads or feeds state (moves, chat, tags) is **handled** on the fast path,
 *   without a transition, and forwarded to the room that owns the shared state;
 * - the `onLeave` hook cleans up (leaves the room) whether the player quit, timed out or was kicked.
 *
 * The player talks to rooms only through {@link Arena}: the same code runs on one process
 * (`ArenaWorld`) and on a cluster where a room may run on another node (`ClusterArena`): answers
 * then come back as promises, which handlers return and actions wait for.
 *
 * @example
 * const world = new ArenaWorld({ outbox: holder });
 * const node = await createNode({ service, player: defineArenaPlayer(world), authenticate: devAuthenticator });
 */
export function defineArenaPlayer(arena: Arena, options: ArenaPlayerOptions = {}) {
  const observe = options.observe;
  const timed = <A extends unknown[], R>(type: string, fn: (...args: A) => R): ((...args: A) => R) => {
    if (observe === undefined) return fn;
    return (...args) => {
      const t0 = performance.now();
      const done = () => observe(type, (performance.now() - t0) / 1000);
      let out: R;
      try {
        out = fn(...args);
      } catch (err) {
        done();
        throw err;
      }
      if (out instanceof Promise) void out.then(done, done);
      else done();
      return out;
    };
  };
  const notInRoom = (player: Player<ArenaPlayerData>): undefined => {
    player.push(Rejected, { code: ArenaErrorCode.NOT_IN_ROOM, text: 'send arena.join first' });
    return undefined;
  };

  return definePlayer<ArenaPlayerData>({ data: () => ({ seat: undefined }) })
    .events<ArenaEvent>()
    .route('join', Join)
    .handle(Move, (player, { x, y }) => {
      const seat = player.data.seat;
      if (seat === undefined) return notInRoom(player);
      arena.move(seat, x, y);
    })
    .handle(Chat, (player, { text }) => {
      const seat = player.data.seat;
      if (seat === undefined) return notInRoom(player);
      arena.chat(seat, text);
    })
    .handle(
      Tag,
      timed(Tag.name, (player: Player<ArenaPlayerData>, { target }: { target: number }) => {
        const seat = player.data.seat;
        if (seat === undefined) throw new HearthError(ArenaErrorCode.NOT_IN_ROOM, 'send arena.join first');
        return settle(arena.tag(seat, target), (answer) => {
          if (!answer.ok) throw new HearthError(answer.code, answer.text);
          return answer.value;
        });
      }),
    )
    .handle(
      FullState,
      timed(FullState.name, (player: Player<ArenaPlayerData>) => {
        const seat = player.data.seat;
        if (seat === undefined) throw new HearthError(ArenaErrorCode.NOT_IN_ROOM, 'send arena.join first');
        return settle(arena.fullState(seat), (answer) => {
          if (!answer.ok) throw new HearthError(answer.code, answer.text);
          return answer.value;
        });
      }),
    )
    .handle(
      Leaderboard,
      timed(Leaderboard.name, (_player: Player<ArenaPlayerData>, { top }: { top: number }) =>
        settle(arena.top(Math.min(top, ARENA.leaderboardMax)), (entries) => ({ entries })),
      ),
    )
    .handle(
      Whisper,
      // `deliver` reaches the user on any node; it rejects BACKPLANE_UNAVAILABLE at once while Redis
      // is down, which the client gets as the request's error code.
      timed(Whisper.name, (player: Player<ArenaPlayerData>, { to, text }: { to: string; text: string }) =>
        player.deliver(to, Whispered, { from: player.userId, text }).then((delivered) => ({ delivered })),
      ),
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
                const seated = (answer: Awaited<ReturnType<Arena['join']>>): void => {
                  if (answer.ok && !player.alive) {
                    arena.leave(answer.value.seat); // gone while a room on another node answered
                  } else if (answer.ok) {
                    player.data = { ...player.data, seat: answer.value.seat };
                    // This node puts the player in the room's broadcast group, wherever the room runs.
                    player.join(answer.value.seat.room);
                    event.reply(answer.value.reply);
                  } else {
                    event.fail(answer.code, answer.text);
                    player.raise({ type: 'arena.refused' });
                  }
                  observe?.(Join.name, (performance.now() - t0) / 1000);
                };
                // Joined once this action has returned: opening a room creates its actor, which xstate
                // must not do inside another machine's action (it warns "Custom actions should not call
                // `assign()` directly"). A cluster join is asynchronous anyway; this is one microtask.
                Promise.resolve()
                  .then(() => arena.join({ userId: player.userId, name: player.data.name ?? player.userId }))
                  .then(seated, (err: unknown) => {
                    player.log.warn({ err }, 'join failed');
                    seated({ ok: false, code: ArenaErrorCode.ROOM_UNREACHABLE, text: 'no room could take you; try again' });
                  });
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
      onJoin: (player, login) => {
        player.data = { ...player.data, name: displayNameOf(login, player.userId) };
      },
      onLeave: (player) => {
        const seat = player.data.seat;
        if (seat === undefined) return;
        arena.leave(seat);
        player.leave(seat.room);
        player.data = { ...player.data, seat: undefined };
      },
    });
}
