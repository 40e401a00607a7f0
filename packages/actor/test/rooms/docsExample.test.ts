// The room of docs/rooms.md, as written there: keeps the page true.
import { HearthError, RoomJoin, RoomJoinOrCreate, RoomList, RoomPush, defineMessage } from '@hearth/protocol';
import { afterEach, expect, it } from 'vitest';
import { defineRoom } from '../../src/index.ts';
import { ManualClock } from '../../src/testing/index.ts';
import { cleanup } from '../helpers.ts';
import { cleanupRooms, player, startRoomServer, toRoom } from './roomServer.ts';

const Move = defineMessage<{ x: number; y: number }, { ok: boolean }>(200, 'duel.move');
const Moved = defineMessage<{ who: string; x: number; y: number }>(201, 'duel.moved');
const Start = defineMessage<Record<string, never>, boolean>(202, 'duel.start');

const ticks: number[] = [];
const Duel = defineRoom({
  name: 'duel',
  maxPlayers: 2,
  tickHz: 20,
  emptyTimeout: 30_000,
  filterBy: ['mode'],
  // The cast types the state (defineRoom infers it); the rule takes it for a no-op (a false positive).
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
  state: (options: { mode?: string }) => ({ mode: options.mode ?? 'casual', pos: {} as Record<string, { x: number; y: number }>, started: false }),
})
  .handle(Move, (room, player, { x, y }) => {
    if (!room.state.started) throw new HearthError('NOT_STARTED', 'wait for the start');
    room.state.pos[player.userId] = { x, y };
    room.broadcast(Moved, { who: player.userId, x, y }, { except: player });
    return { ok: true };
  })
  .handle(Start, (room) => {
    room.state.started = true;
    room.lock();
    room.setMetadata({ mode: room.state.mode, running: true });
    return true;
  })
  .tick((_room, _dt, tick) => void ticks.push(tick))
  .hooks({
    onCreate: (room, options) => room.setMetadata({ mode: options.mode ?? 'casual' }),
    onJoin: (room, player, options) => {
      if (options['team'] === 'spectators') throw new HearthError('NO_SPECTATORS', 'players only');
      room.state.pos[player.userId] = { x: 0, y: 0 };
    },
    onLeave: (room, player) => {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- as docs/rooms.md: positions keyed by user id
      delete room.state.pos[player.userId];
      if (room.state.started) void room.dispose();
    },
  });

afterEach(async () => {
  await cleanupRooms();
  await cleanup();
});

it('docs/rooms.md: the duel room works as the page says', async () => {
  const clock = new ManualClock();
  const { port, node } = await startRoomServer([Duel], { clock });
  const [ann, bob, cid] = await Promise.all([player(port, 'ann'), player(port, 'bob'), player(port, 'cid')]);
  const joined = await ann.ref.request(RoomJoinOrCreate, { kind: 'duel', options: { mode: 'ranked' } });
  expect(joined.state).toEqual({ mode: 'ranked', pos: { ann: { x: 0, y: 0 } }, started: false });
  await expect(cid.ref.request(RoomJoin, { roomId: joined.roomId, options: { team: 'spectators' } })).rejects.toMatchObject({ code: 'NO_SPECTATORS' });
  expect((await bob.ref.request(RoomJoinOrCreate, { kind: 'duel', options: { mode: 'ranked' } })).roomId).toBe(joined.roomId);
  await expect(cid.ref.request(RoomJoin, { roomId: joined.roomId })).rejects.toMatchObject({ code: 'ROOM_FULL' });
  await expect(toRoom(ann, joined.roomId, Move, { x: 1, y: 2 })).rejects.toMatchObject({ code: 'NOT_STARTED' });
  expect(await toRoom(ann, joined.roomId, Start, {})).toBe(true);
  expect(await toRoom(ann, joined.roomId, Move, { x: 1, y: 2 })).toEqual({ ok: true });
  const [moved] = await bob.received(RoomPush.type, 1);
  expect(moved!.payload).toEqual([joined.roomId, Moved.type, { who: 'ann', x: 1, y: 2 }]);
  expect(await cid.ref.request(RoomList, { kind: 'duel' })).toEqual([
    { roomId: joined.roomId, kind: 'duel', members: 2, maxPlayers: 2, locked: true, metadata: { mode: 'ranked', running: true } },
  ]);
  clock.advance(1000);
  expect(ticks.length).toBe(20);
  expect(node.rooms.get(joined.roomId)!.tick).toBe(20);
});
