// A member's room.join of a room it is in is how @hearth/client resynchronises its mirror: the
// answer is the full state, also while the state has changes no patch has carried yet.
import { RoomCreate, RoomJoin, RoomState, defineMessage } from '@hearth/protocol';
import { afterEach, expect, it } from 'vitest';
import { Mirror, StateEncoder, f32, map, string, struct } from '../../../state/src/index.ts';
import { defineRoom } from '../../src/index.ts';
import { ManualClock } from '../../src/testing/index.ts';
import { cleanup } from '../helpers.ts';
import { cleanupRooms, player, startRoomServer, toRoom } from './roomServer.ts';

const World = struct({ players: map(string, struct({ x: f32, y: f32 })) });
const Step = defineMessage<{ dx: number }, number>(221, 'test.room.resyncStep');

afterEach(async () => {
  await cleanupRooms();
  await cleanup();
});

it('a member re-joining a ticking synced room with unsent changes gets the full state (the pending patch goes out first)', async () => {
  const clock = new ManualClock();
  const Arena = defineRoom({ name: 'arena', maxPlayers: 4, tickHz: 10, sync: () => new StateEncoder(World, { players: new Map() }) })
    .handle(Step, (room, p, { dx }) => {
      const me = room.state.players.get(p.userId)!;
      me.x += dx;
      return me.x;
    })
    .tick(() => {}) // a tick: a handler's changes wait for it
    .hooks({ onJoin: (room, p) => void room.state.players.set(p.userId, { x: 0, y: 0 }) });
  const { port } = await startRoomServer([Arena], { clock });
  const ann = await player(port, 'ann');
  const bob = await player(port, 'bob');
  const { roomId } = await ann.ref.request(RoomCreate, { kind: 'arena' });
  await bob.ref.request(RoomJoin, { roomId });
  expect(await toRoom(ann, roomId, Step, { dx: 5 })).toBe(5); // changed; no tick yet: not sent

  const again = await ann.ref.request(RoomJoin, { roomId });
  expect(again.roomId).toBe(roomId);
  const mirror = new Mirror(World);
  mirror.apply(again.state as Uint8Array);
  expect(mirror.state!.players.get('ann')).toMatchObject({ x: 5, y: 0 });
  // The other member got the change as a patch, not lost to the full state taken for ann.
  const bobMirror = new Mirror(World);
  bobMirror.apply((await bob.ref.request(RoomJoin, { roomId })).state as Uint8Array);
  expect(bobMirror.state!.players.get('ann')).toMatchObject({ x: 5, y: 0 });
  const patches = await bob.received(RoomState.type, 1);
  expect(patches.length).toBeGreaterThanOrEqual(1);

  // The tick after sends nothing more (the patch went out with the re-join).
  const before = ann.inbox.filter((m) => m.type === RoomState.type).length;
  clock.advance(100);
  expect(await toRoom(ann, roomId, Step, { dx: 0 })).toBe(5);
  expect(ann.inbox.filter((m) => m.type === RoomState.type).length).toBe(before);
});
