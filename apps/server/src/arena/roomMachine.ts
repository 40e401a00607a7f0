import { assertEvent, not, setup } from 'xstate';
import { ArenaErrorCode } from './constants.ts';
import { ChatLine, MemberJoined, MemberLeft, Rejected, StatePatch, Tagged, type JoinReply } from './messages.ts';
import type { RoomEffects } from './RoomEffects.ts';
import { describePlayer, type Room } from './rules/Room.ts';
import type { ArenaPlayer } from './rules/ArenaPlayer.ts';
import { tryChat } from './rules/chat.ts';
import { tryMove } from './rules/movement.ts';
import { tryTag } from './rules/tagging.ts';

/**
 * Answer to a `join` or `tag` event: the reply, or a coded refusal (an {@link ArenaErrorCode}, or in a
 * cluster `BACKPLANE_UNAVAILABLE` when the room's node cannot be reached through Redis).
 */
export type RoomAnswer<T> = { ok: true; value: T } | { ok: false; code: ArenaErrorCode | 'BACKPLANE_UNAVAILABLE'; text: string };

/** Events a room actor takes. `now` is the caller's clock (ms), so the rules stay pure. */
export type RoomEvent =
  | { type: 'join'; player: ArenaPlayer; answer: (a: RoomAnswer<JoinReply>) => void }
  | { type: 'leave'; pid: number }
  | { type: 'move'; pid: number; x: number; y: number; now: number }
  | { type: 'chat'; pid: number; text: string; now: number }
  | { type: 'tag'; pid: number; target: number; now: number; answer: (a: RoomAnswer<{ score: number }>) => void }
  | { type: 'fullState'; answer: (a: RoomAnswer<Uint8Array>) => void }
  | { type: 'tick' };

/** A room actor's context. */
export interface RoomContext {
  /**
   * The rules' state. It is mutated in place by the actions below instead of copied with
   * `assign`: a room takes a move event per player several times a second, and copying 16 players
   * per event would cost more than the rest of the event (measured: xstate `send` ≈ 2–3 µs).
   */
  readonly room: Room;
  readonly effects: RoomEffects;
}

/**
 * A room of Arena as an xstate actor: `opening` → `waiting` (fewer than two players) → `playing` ⇄ `full`
 * (capacity reached; joins are refused) → `closed` (empty; final). Every rule is a pure function
 * of `rules/`; this machine sequences them and names the effects.
 *
 * @example
 * const room = createActor(roomMachine, { input: { room: new Room('room-1'), effects } }).start();
 * room.send({ type: 'join', player, answer: (a) => … });
 */
export const roomMachine = setup({
  types: {
    context: {} as RoomContext,
    input: {} as RoomContext,
    events: {} as RoomEvent,
  },
  guards: {
    isFull: ({ context }) => context.room.full,
    isEmpty: ({ context }) => context.room.size === 0,
    hasCompany: ({ context }) => context.room.size >= 2,
  },
  actions: {
    admit: ({ context: { room, effects }, event }) => {
      assertEvent(event, 'join');
      const refused = room.add(event.player);
      if (refused !== undefined) {
        event.answer({ ok: false, code: refused, text: `cannot join ${room.id}: ${refused}` });
        return;
      }
      effects.broadcast(room, MemberJoined, describePlayer(event.player));
      effects.entered(room, event.player);
      // The members get the joiner in a patch now; the joiner gets the full state that includes it.
      const patch = room.flush();
      if (patch !== undefined) effects.broadcast(room, StatePatch, patch);
      const reply: JoinReply = { room: room.id, you: event.player.pid, members: room.describe(), state: room.sync.full() };
      event.answer({ ok: true, value: reply });
    },
    refuseFull: ({ context: { room }, event }) => {
      assertEvent(event, 'join');
      event.answer({ ok: false, code: ArenaErrorCode.ROOM_FULL, text: `${room.id} has ${room.capacity} players; ask the matchmaker again` });
    },
    release: ({ context: { room, effects }, event }) => {
      assertEvent(event, 'leave');
      const player = room.get(event.pid);
      if (player === undefined) return;
      room.remove(event.pid);
      effects.exited(room, player);
      effects.broadcast(room, MemberLeft, { pid: event.pid });
    },
    move: ({ context: { room, effects }, event }) => {
      assertEvent(event, 'move');
      const player = room.get(event.pid);
      if (player === undefined) return;
      const refused = tryMove(player, event.x, event.y, event.now);
      if (refused !== undefined) {
        effects.push(player, Rejected, { code: refused, text: `move to (${event.x}, ${event.y}) refused`, x: player.x, y: player.y });
      }
    },
    chat: ({ context: { room, effects }, event }) => {
      assertEvent(event, 'chat');
      const player = room.get(event.pid);
      if (player === undefined) return;
      const refused = tryChat(player, event.text, event.now);
      if (refused !== undefined) effects.push(player, Rejected, { code: refused, text: 'chat line refused' });
      else effects.broadcast(room, ChatLine, { from: player.pid, name: player.name, text: event.text });
    },
    tag: ({ context: { room, effects }, event }) => {
      assertEvent(event, 'tag');
      const tagger = room.get(event.pid);
      if (tagger === undefined) {
        event.answer({ ok: false, code: ArenaErrorCode.NOT_IN_ROOM, text: `player ${event.pid} is not in ${room.id}` });
        return;
      }
      const refused = tryTag(tagger, room.get(event.target), event.now);
      if (refused !== undefined) {
        event.answer({ ok: false, code: refused, text: `tag of ${event.target} refused` });
        return;
      }
      effects.scored(tagger);
      room.scored(tagger);
      effects.broadcast(room, Tagged, { by: tagger.pid, target: event.target, score: tagger.score });
      event.answer({ ok: true, value: { score: tagger.score } });
    },
    fullState: ({ context: { room, effects }, event }) => {
      assertEvent(event, 'fullState');
      const patch = room.flush();
      if (patch !== undefined) effects.broadcast(room, StatePatch, patch);
      event.answer({ ok: true, value: room.sync.full() });
    },
    patch: ({ context: { room, effects } }) => {
      // One patch for the whole room, encoded once (and once by `broadcast`); nothing when nothing changed.
      const patch = room.takePatch();
      if (patch !== undefined) effects.broadcast(room, StatePatch, patch);
    },
    notifyClosed: ({ context: { room, effects } }) => effects.closed(room),
  },
}).createMachine({
  id: 'room',
  context: ({ input }) => input,
  initial: 'opening',
  on: {
    move: { actions: 'move' },
    chat: { actions: 'chat' },
    tag: { actions: 'tag' },
    fullState: { actions: 'fullState' },
    tick: { actions: 'patch' },
  },
  states: {
    /** Created for its first player (so the empty room is not closed at once). */
    opening: {
      on: { join: { actions: 'admit', target: 'waiting' } },
    },
    waiting: {
      always: [
        { guard: 'hasCompany', target: 'playing' },
        { guard: 'isEmpty', target: 'closed' },
      ],
      on: { join: { actions: 'admit' }, leave: { actions: 'release' } },
    },
    playing: {
      always: [
        { guard: 'isFull', target: 'full' },
        { guard: not('hasCompany'), target: 'waiting' },
      ],
      on: { join: { actions: 'admit' }, leave: { actions: 'release' } },
    },
    full: {
      always: [{ guard: not('isFull'), target: 'playing' }],
      on: { join: { actions: 'refuseFull' }, leave: { actions: 'release' } },
    },
    closed: { type: 'final', entry: 'notifyClosed' },
  },
});
