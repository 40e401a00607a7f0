// Step 1 of "Rooms outlive their node": a room's checkpoint (encoded, decoded as hostile input)
// restores it on another node with the same id, state, lock, metadata, tick, phase and members.
import { RoomCreate, RoomJoin, RoomState, defineMessage, type RoomStatePatch } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { Mirror, StateEncoder, f32, map, snapshot, string, struct, u32 } from '../../../state/src/index.ts';
import { defineRoom, type Room, type RoomMember } from '../../src/index.ts';
import { checkpointOf } from '../../src/room/checkpoint/checkpointOf.ts';
import { CHECKPOINT_INVALID, decodeCheckpoint, encodeCheckpoint } from '../../src/room/checkpoint/checkpointCodec.ts';
import type { RoomInstance } from '../../src/room/RoomInstance.ts';
import { ManualClock } from '../../src/testing/index.ts';
import { cleanup } from '../helpers.ts';
import { cleanupRooms, player, startRoomServer, toRoom } from './roomServer.ts';

afterEach(async () => {
  await cleanupRooms();
  await cleanup();
});

const Add = defineMessage<{ n: number }, number>(230, 'test.room.add');
const World = struct({ players: map(string, struct({ x: f32 })), tick: u32 });

const phases = setup({ types: { input: {} as { room: Room }, context: {} as { room: Room; rounds: number } } }).createMachine({
  context: ({ input }) => ({ room: input.room, rounds: 0 }),
  initial: 'waiting',
  states: {
    waiting: { on: { start: { target: 'playing', actions: assign({ rounds: ({ context }) => context.rounds + 1 }) } } },
    playing: { on: { stop: 'ended' } },
    ended: { type: 'final' },
  },
});

function counter(log: string[]) {
  return defineRoom({ name: 'counter', maxPlayers: 4, tickHz: 10, state: (o: { start?: number }) => ({ total: o.start ?? 0, ticks: 0 }) })
    .handle(Add, (room, _m, { n }) => (room.state.total += n))
    .tick((room, _dt, tick) => {
      room.state.ticks = tick;
    })
    .lifecycle(phases)
    .hooks({
      onCreate: () => void log.push('create'),
      onJoin: (_r, m) => void log.push(`join ${m.userId}`),
      onRestore: (room) => void log.push(`restore ${room.tick}`),
      onLeave: (_r, m: RoomMember, reason) => void log.push(`leave ${m.userId} ${reason.code}`),
    });
}

describe('rooms: checkpoint and restore', () => {
  it('restores id, state, lock, metadata, tick, phase and members (away until they come back), without onCreate', async () => {
    const clock = new ManualClock();
    const log: string[] = [];
    const Counter = counter(log);
    const a = await startRoomServer([Counter], { clock });
    const b = await startRoomServer([Counter], { clock });
    const ann = await player(a.port, 'ann');
    const bob = await player(a.port, 'bob');
    const { roomId } = await ann.ref.request(RoomCreate, { kind: 'counter', options: { start: 5 } });
    await bob.ref.request(RoomJoin, { roomId, options: { team: 'red' } });
    await (await player(a.port, 'cid')).ref.request(RoomJoin, { roomId });
    await toRoom(ann, roomId, Add, { n: 3 });
    const room = a.node.rooms.get(roomId) as RoomInstance;
    room.raise({ type: 'start' });
    room.setMetadata({ map: 'dunes' });
    room.lock();
    clock.advance(1000); // ticks 1..10
    expect(room.tick).toBe(10);

    const bytes = encodeCheckpoint(checkpointOf(room, 'node-a', 1, clock.now()));
    const cid = await player(b.port, 'cid'); // on b before the room is: he joins it by id below
    const restored = await b.node.rooms.adopt(decodeCheckpoint(bytes), 1_000);
    expect(restored.id).toBe(roomId);
    expect(restored.state).toEqual({ total: 8, ticks: 10 });
    expect([restored.locked, restored.metadata, restored.phase, restored.tick]).toEqual([true, { map: 'dunes' }, 'playing', 10]);
    expect((restored.lifecycleActor!.persisted().snapshot['context'] as { rounds: number }).rounds).toBe(1);
    expect([...restored.members.values()].map((m) => [m.userId, m.connected, m.options])).toEqual([
      ['ann', false, { start: 5 }],
      ['bob', false, { team: 'red' }],
      ['cid', false, {}],
    ]);
    expect(log).toEqual(['create', 'join ann', 'join bob', 'join cid', 'restore 0']);
    clock.advance(100);
    expect(restored.tick).toBe(11); // numbering carries on: tick 11 is due one step after the restore
    expect(restored.state).toMatchObject({ ticks: 11 });

    // ann logs in on b: she is back in the room (no onJoin), and can address it
    const ann2 = await player(b.port, 'ann');
    expect(restored.members.get('ann')!.connected).toBe(true);
    expect(await toRoom(ann2, roomId, Add, { n: 1 })).toBe(9);
    // cid, logged in on b already, joins by id: his seat back, without onJoin (though the room is locked)
    await cid.ref.request(RoomJoin, { roomId });
    expect(restored.members.get('cid')!.connected).toBe(true);
    expect(log.filter((l) => l.startsWith('join'))).toEqual(['join ann', 'join bob', 'join cid']);
    // bob never comes back: his seat goes when the grace ends
    clock.advance(1_000);
    await Promise.resolve();
    expect(log).toContain('leave bob GRACE_EXPIRED');
    expect([...restored.members.keys()]).toEqual(['ann', 'cid']);
  });

  it('a sync room comes back with its @hearth/state full state, and its members get it again on their return', async () => {
    const clock = new ManualClock();
    const Arena = defineRoom({ name: 'arena', maxPlayers: 4, tickHz: 10, sync: () => new StateEncoder(World, { players: new Map(), tick: 0 }) })
      .tick((room, _dt, tick) => {
        room.state.tick = tick;
      })
      .hooks({ onJoin: (room, m) => void room.state.players.set(m.userId, { x: 1.5 }) });
    const a = await startRoomServer([Arena], { clock });
    const b = await startRoomServer([Arena], { clock });
    const ann = await player(a.port, 'ann');
    const { roomId } = await ann.ref.request(RoomCreate, { kind: 'arena' });
    clock.advance(500);
    const room = a.node.rooms.get(roomId) as RoomInstance;
    const restored = await b.node.rooms.adopt(decodeCheckpoint(encodeCheckpoint(checkpointOf(room, 'node-a', 1, clock.now()))), 60_000);
    expect(snapshot(World, restored.state)).toEqual(snapshot(World, room.state));
    const ann2 = await player(b.port, 'ann');
    const [full] = await ann2.received(RoomState.type, 1);
    const mirror = new Mirror(World);
    mirror.apply((full!.payload as RoomStatePatch)[1]);
    expect(snapshot(World, mirror.state)).toEqual(snapshot(World, room.state));
  });

  it('refuses a hostile checkpoint with a code (size, shape, ids, versions), never decoding past its bytes', () => {
    const bad = (bytes: Uint8Array, limits = {}) => {
      try {
        decodeCheckpoint(bytes, limits);
      } catch (err) {
        return (err as { code: string }).code;
      }
      return 'decoded';
    };
    expect(bad(new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff]))).toBe(CHECKPOINT_INVALID); // array of 4G elements declared
    expect(bad(new Uint8Array([0xc0]))).toBe(CHECKPOINT_INVALID);
    const base = { v: 1, kind: 'k', id: 'r1', options: {}, state: null, full: null, metadata: null, locked: false, private: false, tick: 0, lifecycle: null, members: [], owner: 'n', epoch: 1, at: 0 };
    expect(bad(encodeCheckpoint(base as never))).toBe('decoded');
    expect(bad(encodeCheckpoint({ ...base, v: 2 } as never))).toBe(CHECKPOINT_INVALID);
    expect(bad(encodeCheckpoint({ ...base, id: 'a{b}' } as never))).toBe(CHECKPOINT_INVALID);
    expect(bad(encodeCheckpoint({ ...base, members: [{ userId: 'a b', options: {}, joinedAt: 0 }] } as never))).toBe(CHECKPOINT_INVALID);
    expect(bad(encodeCheckpoint({ ...base, tick: -1 } as never))).toBe(CHECKPOINT_INVALID);
    expect(bad(encodeCheckpoint(base as never), { maxBytes: 10 })).toBe(CHECKPOINT_INVALID);
  });
});
