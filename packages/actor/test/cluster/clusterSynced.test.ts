// A synced room (`@hearth/state` encoder) on node A with a member on node B: the full state in the
// join reply crosses the node request, the patches reach B through the room's state group.
import { RoomCreate, RoomJoin, RoomState, defineMessage, type RoomStatePatch } from '@hearth/protocol';
import { describe, expect, it } from 'vitest';
import { Mirror, StateEncoder, f32, map, string, struct, u32 } from '../../../state/src/index.ts';
import { defineRoom } from '../../src/index.ts';
import { ManualClock } from '../../src/testing/index.ts';
import { cleanup } from '../helpers.ts';
import { player, toRoom } from '../rooms/roomServer.ts';
import { useClusterFixture } from './helpers.ts';
import { startRoomNode } from './roomNodes.ts';

const World = struct({ players: map(string, struct({ x: f32, y: f32 })), tick: u32 });
const Step = defineMessage<{ dx: number }, number>(230, 'test.cluster.step');

describe('a synced room across nodes (real Redis)', () => {
  const fx = useClusterFixture(cleanup);

  it('sends a member on another node the full state in the join reply, then the same patches as the local members', async () => {
    const clock = new ManualClock();
    const Arena = defineRoom({ name: 'arena', maxPlayers: 4, tickHz: 10, sync: () => new StateEncoder(World, { players: new Map(), tick: 0 }) })
      .handle(Step, (room, m, { dx }) => {
        const me = room.state.players.get(m.userId)!;
        me.x += dx;
        return me.x;
      })
      .tick((room, _dt, tick) => {
        if (tick % 5 === 0) room.state.tick = tick;
      })
      .hooks({
        onJoin: (room, m) => void room.state.players.set(m.userId, { x: 0, y: 0 }),
        onLeave: (room, m) => void room.state.players.delete(m.userId),
      });
    const a = await startRoomNode(fx.redis, 'sa', [Arena], fx.closers, { clock });
    const b = await startRoomNode(fx.redis, 'sb', [Arena], fx.closers);
    const ann = await player(a.port, 'ann');
    const bob = await player(b.port, 'bob');
    const created = await ann.ref.request(RoomCreate, { kind: 'arena' });
    const annMirror = new Mirror(World);
    annMirror.apply(created.state as Uint8Array);
    const joined = await bob.ref.request(RoomJoin, { roomId: created.roomId });
    const bobMirror = new Mirror(World);
    bobMirror.apply(joined.state as Uint8Array);
    expect([...bobMirror.state!.players.keys()].sort()).toEqual(['ann', 'bob']);
    expect(b.node.rooms.get(created.roomId)).toBeUndefined();
    annMirror.apply(((await ann.received(RoomState.type, 1))[0]!.payload as RoomStatePatch)[1]);

    expect(await toRoom(ann, created.roomId, Step, { dx: 3 })).toBe(3);
    expect(await toRoom(bob, created.roomId, Step, { dx: -1 })).toBe(-1);
    clock.advance(100); // tick 1: both moves, one patch
    clock.advance(400); // tick 5: state.tick
    const annPatches = await ann.received(RoomState.type, 3);
    const bobPatches = await bob.received(RoomState.type, 2);
    expect(bobPatches.map((m) => (m.payload as RoomStatePatch)[1])).toEqual(annPatches.slice(1).map((m) => (m.payload as RoomStatePatch)[1]));
    for (const m of annPatches.slice(1)) annMirror.apply((m.payload as RoomStatePatch)[1]);
    for (const m of bobPatches) bobMirror.apply((m.payload as RoomStatePatch)[1]);
    for (const mirror of [annMirror, bobMirror]) {
      expect(mirror.state!.players.get('ann')).toMatchObject({ x: 3, y: 0 });
      expect(mirror.state!.players.get('bob')).toMatchObject({ x: -1, y: 0 });
      expect(mirror.state!.tick).toBe(5);
    }
  });
});
