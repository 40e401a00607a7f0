import { RoomCreate, RoomJoin, RoomLeave, RoomLeft, RoomPush, defineMessage } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { defineRoom, planTicks } from '../../src/index.ts';
import { ManualClock } from '../../src/testing/index.ts';
import { cleanup, clientService, connect, until } from '../helpers.ts';
import { Where, cleanupRooms, player, startRoomServer, toRoom } from './roomServer.ts';

afterEach(async () => {
  await cleanupRooms();
  await cleanup();
});

const Ticked = defineMessage<{ tick: number; dt: number }>(210, 'test.room.ticked');

describe('rooms: fixed-timestep tick', () => {
  it('runs exactly tickHz ticks per second of the injected clock, numbered, with a fixed dt', async () => {
    const clock = new ManualClock();
    const seen: [number, number][] = [];
    const Sim = defineRoom({ name: 'sim', maxPlayers: 2, tickHz: 30, state: () => ({ t: 0 }) }).tick((room, dt, tick) => {
      seen.push([tick, dt]);
      room.state.t = tick;
      if (tick % 10 === 0) room.broadcast(Ticked, { tick, dt });
    });
    const { port, node } = await startRoomServer([Sim], { clock });
    const ann = await player(port, 'ann');
    const { roomId } = await ann.ref.request(RoomCreate, { kind: 'sim' });
    expect(seen).toEqual([]);
    clock.advance(1000);
    expect(seen.map(([t]) => t)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(new Set(seen.map(([, dt]) => dt))).toEqual(new Set([1000 / 30]));
    clock.advance(1000 / 30 - 0.001);
    expect(seen.length).toBe(30);
    clock.advance(0.001);
    expect(seen.length).toBe(31);
    const pushes = await ann.received(RoomPush.type, 3);
    expect(pushes.map((m) => (m.payload as [string, number, { tick: number }])[2].tick)).toEqual([10, 20, 30]);
    expect(node.rooms.get(roomId)!.tick).toBe(31);
    expect(node.rooms.get(roomId)!.state).toEqual({ t: 31 });
  });

  it('catches up at most maxCatchUp late ticks, skips the older ones (pure rule)', () => {
    // 20 Hz: tick n is due at n·50 ms
    expect(planTicks(49, 1, 20, 5)).toEqual({ run: 0, skip: 0 });
    expect(planTicks(50, 1, 20, 5)).toEqual({ run: 1, skip: 0 });
    expect(planTicks(160, 1, 20, 5)).toEqual({ run: 3, skip: 0 }); // ticks 1-3 due: all run
    expect(planTicks(500, 1, 20, 5)).toEqual({ run: 5, skip: 5 }); // 10 due: the 5 newest run
    expect(planTicks(500, 11, 20, 5)).toEqual({ run: 0, skip: 0 });
    // 30 Hz: float slots (33.33 ms) still land on their tick
    expect(planTicks(1000, 30, 30, 5)).toEqual({ run: 1, skip: 0 });
    expect(planTicks((29 * 1000) / 30, 29, 30, 5)).toEqual({ run: 1, skip: 0 });
  });

  it('is deterministic: two rooms fed the same inputs end in the same state', async () => {
    const clock = new ManualClock();
    const Walk = defineRoom({ name: 'walk', maxPlayers: 1, tickHz: 20, state: () => ({ x: 0, v: 1 }) }).tick((room, dt) => {
      room.state.x += (room.state.v * dt) / 1000;
      room.state.v *= 1.01;
    });
    const { port, node } = await startRoomServer([Walk], { clock });
    const [ann, bob] = await Promise.all([player(port, 'ann'), player(port, 'bob')]);
    const a = await ann.ref.request(RoomCreate, { kind: 'walk' });
    const b = await bob.ref.request(RoomCreate, { kind: 'walk' });
    for (let i = 0; i < 7; i++) clock.advance(137); // uneven steps; the same 19 ticks either way
    expect(node.rooms.get(a.roomId)!.tick).toBe(19);
    expect(node.rooms.get(a.roomId)!.state).toEqual(node.rooms.get(b.roomId)!.state);
  });
});

describe('rooms: disposal and membership over the connection', () => {
  it('disposes of an empty room after emptyTimeout on the injected clock; a join meanwhile keeps it', async () => {
    const clock = new ManualClock();
    const log: string[] = [];
    const Lobby = defineRoom({ name: 'lobby', maxPlayers: 4, emptyTimeout: 5_000 }).hooks({ onDispose: () => void log.push('dispose') });
    const { port, node } = await startRoomServer([Lobby], { clock });
    const ann = await player(port, 'ann');
    const { roomId } = await ann.ref.request(RoomCreate, { kind: 'lobby' });
    await ann.ref.request(RoomLeave, { roomId });
    clock.advance(4_999);
    expect(node.rooms.get(roomId)).toBeDefined();
    await ann.ref.request(RoomJoin, { roomId });
    await ann.ref.request(RoomLeave, { roomId });
    clock.advance(4_999);
    expect(node.rooms.get(roomId)).toBeDefined();
    clock.advance(1);
    await until(() => log.length === 1);
    expect(node.rooms.get(roomId)).toBeUndefined();
    await expect(ann.ref.request(RoomJoin, { roomId })).rejects.toMatchObject({ code: 'ROOM_NOT_FOUND' });
  });

  it('keeps a disconnected player in its rooms through grace and a resume; leaves them when grace expires', async () => {
    const clock = new ManualClock();
    const log: string[] = [];
    const Match = defineRoom({ name: 'match', maxPlayers: 4 })
      .handle(Where, (room) => ({ roomId: room.id, members: [...room.members.keys()].sort() }))
      .hooks({ onLeave: (_room, p, reason) => void log.push(`leave ${p.userId} ${reason.code}`) });
    const { port, node } = await startRoomServer([Match], { clock, timeouts: { grace: 10_000 } });
    const ann = await connect(clientService(), port);
    const { resumeToken } = await ann.login('ann');
    const bob = await player(port, 'bob');
    const { roomId } = await ann.ref.request(RoomCreate, { kind: 'match' });
    await bob.ref.request(RoomJoin, { roomId });
    ann.ref.close('GONE', 'the client went away'); // not NORMAL: that would end the session without grace
    await until(() => node.holder.get('ann')?.connected === false);
    expect(await toRoom(bob, roomId, Where, {})).toEqual({ roomId, members: ['ann', 'bob'] });
    // a broadcast meanwhile is queued for ann and delivered on resume
    node.rooms.get(roomId)!.broadcast(Ticked, { tick: 1, dt: 0 });
    const again = await connect(clientService(), port);
    await again.resume(resumeToken);
    await again.received(RoomPush.type, 1);
    expect(await toRoom(again, roomId, Where, {})).toEqual({ roomId, members: ['ann', 'bob'] });
    expect(log).toEqual([]);
    // bob drops and never comes back: grace expires, bob leaves the room
    bob.ref.close('GONE', 'the client went away');
    await until(() => node.holder.get('bob')?.connected === false);
    clock.advance(10_000);
    await until(() => log.length === 1);
    expect(log).toEqual(['leave bob GRACE_EXPIRED']);
    expect(await toRoom(again, roomId, Where, {})).toEqual({ roomId, members: ['ann'] });
    expect(again.inbox.filter((m) => m.type === RoomLeft.type)).toEqual([]);
  });
});
