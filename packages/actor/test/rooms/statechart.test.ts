import { RoomCreate, RoomJoin, RoomLeft } from '@hearth/protocol';
import { afterEach, expect, it } from 'vitest';
import { setup } from 'xstate';
import { defineRoom, type Room } from '../../src/index.ts';
import { ManualClock } from '../../src/testing/index.ts';
import { cleanup, until } from '../helpers.ts';
import { cleanupRooms, player, startRoomServer } from './roomServer.ts';

afterEach(async () => {
  await cleanupRooms();
  await cleanup();
});

it('runs a room statechart on the node clock: waiting → playing (locked) → ended disposes of the room', async () => {
  const clock = new ManualClock();
  const entered: string[] = [];
  const matchMachine = setup({
    types: { input: {} as { room: Room }, context: {} as { room: Room }, events: {} as { type: 'full' } },
  }).createMachine({
    context: ({ input }) => ({ room: input.room }),
    initial: 'waiting',
    states: {
      waiting: { on: { full: 'playing' } },
      playing: {
        entry: ({ context }) => {
          entered.push('playing');
          context.room.lock();
        },
        after: { 5_000: 'ended' }, // (under the heartbeat's 7.5 s of silence: the ManualClock moves the holder's timers too)
      },
      ended: { type: 'final' },
    },
  });
  const Match = defineRoom({ name: 'match', maxPlayers: 2 })
    .lifecycle(matchMachine)
    .hooks({
      onJoin: (room) => {
        if (room.members.size === 1) room.raise({ type: 'full' }); // the second player
      },
    });
  const { port, node } = await startRoomServer([Match], { clock });
  const [ann, bob] = await Promise.all([player(port, 'ann'), player(port, 'bob')]);
  const { roomId } = await ann.ref.request(RoomCreate, { kind: 'match' });
  const room = node.rooms.get(roomId)!;
  expect(room.phase).toBe('waiting');
  await bob.ref.request(RoomJoin, { roomId });
  expect(room.phase).toBe('playing');
  expect(room.locked).toBe(true);
  clock.advance(4_999);
  expect(room.phase).toBe('playing');
  clock.advance(1);
  await until(() => room.disposed);
  const [left] = await ann.received(RoomLeft.type, 1);
  expect(left!.payload).toMatchObject({ roomId, code: 'ROOM_DISPOSED' });
  expect(node.rooms.get(roomId)).toBeUndefined();
  expect(entered).toEqual(['playing']);
});
