// A room whose state is a real `@hearth/state` encoder, read by a real Mirror. `@hearth/state` is
// imported from its sources: it has no dependencies, and `@hearth/actor` does not depend on it (the
// room sees only the structural `SyncedState`).
import { RoomCreate, RoomJoin, RoomState, defineMessage, type RoomStatePatch } from '@hearth/protocol';
import { afterEach, expect, it } from 'vitest';
import { Mirror, StateEncoder, f32, map, string, struct, u32 } from '../../../state/src/index.ts';
import { defineRoom } from '../../src/index.ts';
import { ManualClock } from '../../src/testing/index.ts';
import { cleanup } from '../helpers.ts';
import { cleanupRooms, player, startRoomServer, toRoom } from './roomServer.ts';

const World = struct({ players: map(string, struct({ x: f32, y: f32 })), tick: u32 });
const Step = defineMessage<{ dx: number }, number>(220, 'test.room.step');

afterEach(async () => {
  await cleanupRooms();
  await cleanup();
});

it('sends the full state on join and one patch per tick that changed it, encoded once for every member', async () => {
  const clock = new ManualClock();
  const Arena = defineRoom({ name: 'arena', maxPlayers: 4, tickHz: 10, sync: () => new StateEncoder(World, { players: new Map(), tick: 0 }) })
    .handle(Step, (room, p, { dx }) => {
      const me = room.state.players.get(p.userId)!;
      me.x += dx;
      return me.x;
    })
    .tick((room, _dt, tick) => {
      if (tick % 5 === 0) room.state.tick = tick; // changes every 5th tick only: quiet ticks send nothing
    })
    .hooks({
      onJoin: (room, p) => void room.state.players.set(p.userId, { x: 0, y: 0 }),
      onLeave: (room, p) => void room.state.players.delete(p.userId),
    });
  const { port } = await startRoomServer([Arena], { clock });
  const ann = await player(port, 'ann');
  const bob = await player(port, 'bob');
  const a = await ann.ref.request(RoomCreate, { kind: 'arena' });
  const annMirror = new Mirror(World);
  annMirror.apply(a.state as Uint8Array);
  expect([...annMirror.state!.players.keys()]).toEqual(['ann']);
  const b = await bob.ref.request(RoomJoin, { roomId: a.roomId });
  const bobMirror = new Mirror(World);
  bobMirror.apply(b.state as Uint8Array);
  expect([...bobMirror.state!.players.keys()].sort()).toEqual(['ann', 'bob']);
  // bob's arrival reached ann as a patch (sent before bob's full state was taken)
  const [joinPatch] = await ann.received(RoomState.type, 1);
  annMirror.apply((joinPatch!.payload as RoomStatePatch)[1]);
  expect([...annMirror.state!.players.keys()].sort()).toEqual(['ann', 'bob']);

  expect(await toRoom(ann, a.roomId, Step, { dx: 3 })).toBe(3);
  expect(await toRoom(bob, a.roomId, Step, { dx: -1 })).toBe(-1);
  expect(ann.inbox.filter((m) => m.type === RoomState.type).length).toBe(1); // no patch before the tick
  clock.advance(100); // tick 1: the two moves, one patch
  clock.advance(300); // ticks 2-4: nothing changed, nothing sent
  clock.advance(100); // tick 5: state.tick
  const annPatches = await ann.received(RoomState.type, 3);
  const bobPatches = await bob.received(RoomState.type, 2);
  expect(annPatches.length).toBe(3);
  expect(bobPatches.length).toBe(2);
  // the same bytes went to both members
  expect((bobPatches[0]!.payload as RoomStatePatch)[1]).toEqual((annPatches[1]!.payload as RoomStatePatch)[1]);
  for (const m of annPatches.slice(1)) annMirror.apply((m.payload as RoomStatePatch)[1]);
  for (const m of bobPatches) bobMirror.apply((m.payload as RoomStatePatch)[1]);
  for (const mirror of [annMirror, bobMirror]) {
    expect(mirror.state!.players.get('ann')).toMatchObject({ x: 3, y: 0 });
    expect(mirror.state!.players.get('bob')).toMatchObject({ x: -1, y: 0 });
    expect(mirror.state!.tick).toBe(5);
  }
});
