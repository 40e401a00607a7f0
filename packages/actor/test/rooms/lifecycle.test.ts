import { HearthError, RoomCreate, RoomJoin, RoomJoinOrCreate, RoomLeave, RoomLeft, RoomList, RoomPush, RoomSend, type InboundMessage } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { defineRoom, RoomErrorCode } from '../../src/index.ts';
import { cleanup } from '../helpers.ts';
import { Lock, Said, Say, ServerJoin, Where, cleanupRooms, player, startRoomServer, toRoom } from './roomServer.ts';

afterEach(async () => {
  await cleanupRooms();
  await cleanup();
});

/** A chat room that logs its hooks into `log`. */
function chatRoom(log: string[], spec: { maxPlayers?: number; emptyTimeout?: number | false } = {}) {
  return defineRoom({ name: 'chat', maxPlayers: spec.maxPlayers ?? 8, emptyTimeout: spec.emptyTimeout ?? 0, state: () => ({ lines: [] as string[] }) })
    .handle(Say, (room, p, { text }) => {
      if (text === '') throw new HearthError('EMPTY', 'say something');
      room.state.lines.push(text);
      room.broadcast(Said, { from: p.userId, text }, { except: p });
      return { heard: room.members.size - 1 };
    })
    .handle(Where, (room) => ({ roomId: room.id, members: [...room.members.keys()].sort() }))
    .handle(Lock, (room, _p, { locked }) => {
      if (locked) room.lock();
      else room.unlock();
      return room.locked;
    })
    .hooks({
      onCreate: (room, options) => void log.push(`create ${JSON.stringify(options)}`),
      onJoin: (room, p, options) => {
        if (options['banned'] === true) throw new HearthError('BANNED', 'not you');
        log.push(`join ${p.userId}`);
      },
      onLeave: (room, p, reason) => void log.push(`leave ${p.userId} ${reason.code}`),
      onDispose: () => void log.push('dispose'),
    });
}

const pushesOf = (inbox: InboundMessage[], type: number) => inbox.filter((m) => m.type === type).map((m) => m.payload);

describe('rooms: lifecycle', () => {
  it('runs onCreate, onJoin, handlers, onLeave and onDispose in order; state travels in the join reply', async () => {
    const log: string[] = [];
    const { port, node } = await startRoomServer([chatRoom(log)]);
    const ann = await player(port, 'ann');
    const bob = await player(port, 'bob');
    const a = await ann.ref.request(RoomCreate, { kind: 'chat', options: { topic: 'x' } });
    expect(a).toMatchObject({ kind: 'chat', state: { lines: [] } });
    expect(await toRoom(ann, a.roomId, Say, { text: 'hi' })).toEqual({ heard: 0 });
    const b = await bob.ref.request(RoomJoin, { roomId: a.roomId });
    expect(b.state).toEqual({ lines: ['hi'] });
    expect(await toRoom(bob, a.roomId, Say, { text: 'yo' })).toEqual({ heard: 1 });
    const [said] = await ann.received(RoomPush.type, 1);
    expect(said!.payload).toEqual([a.roomId, Said.type, { from: 'bob', text: 'yo' }]);
    expect(pushesOf(bob.inbox, RoomPush.type)).toEqual([]); // `except` skipped the sender
    expect(await toRoom(ann, a.roomId, Where, {})).toEqual({ roomId: a.roomId, members: ['ann', 'bob'] });
    expect(await ann.ref.request(RoomLeave, { roomId: a.roomId })).toBe(true);
    expect(await ann.ref.request(RoomLeave, { roomId: a.roomId })).toBe(false);
    expect(await bob.ref.request(RoomLeave, { roomId: a.roomId })).toBe(true);
    expect(log).toEqual(['create {"topic":"x"}', 'join ann', 'join bob', 'leave ann LEFT', 'leave bob LEFT', 'dispose']);
    expect(node.rooms.get(a.roomId)).toBeUndefined();
  });

  it('answers a thrown HearthError with its code, and refuses messages from non-members and unknown types', async () => {
    const { port } = await startRoomServer([chatRoom([])]);
    const ann = await player(port, 'ann');
    const eve = await player(port, 'eve');
    const { roomId } = await ann.ref.request(RoomCreate, { kind: 'chat' });
    await expect(toRoom(ann, roomId, Say, { text: '' })).rejects.toMatchObject({ code: 'EMPTY' });
    await expect(toRoom(eve, roomId, Say, { text: 'hi' })).rejects.toMatchObject({ code: RoomErrorCode.NOT_IN_ROOM });
    await expect(toRoom(ann, roomId, ServerJoin, { kind: 'chat' })).rejects.toMatchObject({ code: 'UNKNOWN_TYPE' });
    await expect(ann.ref.request(RoomJoin, { roomId: 'nope' })).rejects.toMatchObject({ code: RoomErrorCode.NOT_FOUND });
    await expect(ann.ref.request(RoomCreate, { kind: 'nope' })).rejects.toMatchObject({ code: RoomErrorCode.UNKNOWN_KIND });
    await expect(ann.ref.request(RoomJoin, { roomId: 42 } as never)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await toRoom(ann, roomId, Say, { text: 'still here' })).toEqual({ heard: 0 });
  });

  it('takes room requests sent as pushes (even refused ones) without an unhandled rejection', async () => {
    const AsyncRoom = defineRoom({ name: 'async', maxPlayers: 2 }).handle(Say, async () => {
      await Promise.resolve();
      throw new HearthError('NOPE', 'async refusal');
    });
    const { port } = await startRoomServer([AsyncRoom]);
    const ann = await player(port, 'ann');
    const { roomId } = await ann.ref.request(RoomCreate, { kind: 'async' });
    ann.ref.send(RoomJoin, { roomId: 'missing' });
    ann.ref.send(RoomJoinOrCreate, { kind: 'missing' });
    ann.ref.send(RoomSend, [roomId, Say.type, { text: 'x' }]);
    ann.ref.send(RoomSend, ['missing', Say.type, { text: 'x' }]);
    ann.ref.send(RoomSend, { roomId } as never);
    await expect(toRoom(ann, roomId, Say, { text: 'x' })).rejects.toMatchObject({ code: 'NOPE' });
    expect((await ann.ref.request(RoomList, { kind: 'async' })).length).toBe(1);
  });

  it('refuses past maxPlayers (ROOM_FULL), when locked (ROOM_LOCKED), and with the code onJoin throws', async () => {
    const log: string[] = [];
    const { port } = await startRoomServer([chatRoom(log, { maxPlayers: 2 })]);
    const [ann, bob, cid] = await Promise.all([player(port, 'ann'), player(port, 'bob'), player(port, 'cid')]);
    const { roomId } = await ann.ref.request(RoomCreate, { kind: 'chat' });
    await expect(bob.ref.request(RoomJoin, { roomId, options: { banned: true } })).rejects.toMatchObject({ code: 'BANNED' });
    expect(await toRoom(ann, roomId, Lock, { locked: true })).toBe(true);
    await expect(bob.ref.request(RoomJoin, { roomId })).rejects.toMatchObject({ code: RoomErrorCode.LOCKED });
    // joinOrCreate passes the locked room by and opens another
    const other = await bob.ref.request(RoomJoinOrCreate, { kind: 'chat' });
    expect(other.roomId).not.toBe(roomId);
    expect(await toRoom(ann, roomId, Lock, { locked: false })).toBe(false);
    await bob.ref.request(RoomJoin, { roomId });
    await expect(cid.ref.request(RoomJoin, { roomId })).rejects.toMatchObject({ code: RoomErrorCode.FULL });
    expect(log.filter((l) => l.startsWith('join'))).toEqual(['join ann', 'join bob', 'join bob']);
  });

  it('caps the rooms a player is in (TOO_MANY_ROOMS, joins in flight counted) and the rooms a listing answers', async () => {
    const { port, node } = await startRoomServer([chatRoom([])], { roomLimits: { maxRoomsPerPlayer: 2, listLimit: 3 } });
    const ann = await player(port, 'ann');
    const bob = await player(port, 'bob');
    // three creates at once: the third is refused while the first two are still joining
    const results = await Promise.allSettled([0, 1, 2].map(() => ann.ref.request(RoomCreate, { kind: 'chat' })));
    expect(results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as HearthError).code)).sort()).toEqual(['TOO_MANY_ROOMS', 'ok', 'ok']);
    const [first] = results.filter((r) => r.status === 'fulfilled').map((r) => r.value.roomId);
    await expect(ann.ref.request(RoomCreate, { kind: 'chat' })).rejects.toMatchObject({ code: RoomErrorCode.TOO_MANY_ROOMS });
    expect((await ann.ref.request(RoomJoin, { roomId: first! })).roomId).toBe(first); // already in it: fine
    expect([...node.rooms.rooms()].length).toBe(2);
    await ann.ref.request(RoomLeave, { roomId: first! });
    await ann.ref.request(RoomCreate, { kind: 'chat' });
    await bob.ref.request(RoomCreate, { kind: 'chat' });
    await bob.ref.request(RoomCreate, { kind: 'chat' });
    expect([...node.rooms.rooms()].length).toBe(4);
    expect((await bob.ref.request(RoomList, { kind: 'chat' })).length).toBe(3);
  });

  it('disposes of a room whose creator was refused', async () => {
    const log: string[] = [];
    const { port, node } = await startRoomServer([chatRoom(log)]);
    const ann = await player(port, 'ann');
    await expect(ann.ref.request(RoomCreate, { kind: 'chat', options: { banned: true } })).rejects.toMatchObject({ code: 'BANNED' });
    expect([...node.rooms.rooms()]).toEqual([]);
    expect(log).toEqual(['create {"banned":true}', 'dispose']);
  });

  it('refuses creation when onCreate throws, with its code', async () => {
    const Picky = defineRoom({ name: 'picky', maxPlayers: 2 }).hooks({
      onCreate: (_room, options) => {
        if (options['map'] !== 'dust') throw new HearthError('NO_SUCH_MAP', 'maps: dust');
      },
    });
    const { port, node } = await startRoomServer([Picky]);
    const ann = await player(port, 'ann');
    await expect(ann.ref.request(RoomCreate, { kind: 'picky', options: { map: 'x' } })).rejects.toMatchObject({ code: 'NO_SUCH_MAP' });
    expect([...node.rooms.rooms()]).toEqual([]);
    expect((await ann.ref.request(RoomCreate, { kind: 'picky', options: { map: 'dust' } })).kind).toBe('picky');
  });

  it('two players racing for the last seat: exactly one gets it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // onJoin waits on a gate, so both joins are in flight at once
    const Duel = defineRoom({ name: 'duel', maxPlayers: 2 }).hooks({ onJoin: (_r, p) => (p.userId === 'ann' ? undefined : gate) });
    const { port, node } = await startRoomServer([Duel]);
    const [ann, bob, cid] = await Promise.all([player(port, 'ann'), player(port, 'bob'), player(port, 'cid')]);
    const { roomId } = await ann.ref.request(RoomCreate, { kind: 'duel' });
    const bobJoin = bob.ref.request(RoomJoin, { roomId }).then(() => 'in', (e: unknown) => (e as HearthError).code);
    const cidJoin = cid.ref.request(RoomJoin, { roomId }).then(() => 'in', (e: unknown) => (e as HearthError).code);
    // both requests have reached the room once one of them was refused
    const first = await Promise.race([bobJoin, cidJoin]);
    release();
    expect(first).toBe(RoomErrorCode.FULL);
    expect([await bobJoin, await cidJoin].sort()).toEqual([RoomErrorCode.FULL, 'in']);
    expect(node.rooms.get(roomId)!.members.size).toBe(2);
  });

  it('filters joinOrCreate by filterBy options, lists public rooms with metadata, keeps private rooms out', async () => {
    const Match = defineRoom({ name: 'match', maxPlayers: 4, filterBy: ['mode'] }).hooks({
      onCreate: (room, options) => room.setMetadata({ mode: options['mode'] }),
    });
    const { port } = await startRoomServer([Match]);
    const [ann, bob, cid, dan] = await Promise.all([player(port, 'ann'), player(port, 'bob'), player(port, 'cid'), player(port, 'dan')]);
    const a = await ann.ref.request(RoomJoinOrCreate, { kind: 'match', options: { mode: 'duo' } });
    const b = await bob.ref.request(RoomJoinOrCreate, { kind: 'match', options: { mode: 'solo' } });
    const c = await cid.ref.request(RoomJoinOrCreate, { kind: 'match', options: { mode: 'duo', skin: 'red' } });
    expect(b.roomId).not.toBe(a.roomId);
    expect(c.roomId).toBe(a.roomId);
    const secret = await dan.ref.request(RoomCreate, { kind: 'match', options: { mode: 'duo' }, private: true });
    const listed = await dan.ref.request(RoomList, { kind: 'match' });
    expect(listed.map((r) => r.roomId).sort()).toEqual([a.roomId, b.roomId].sort());
    expect(listed.find((r) => r.roomId === a.roomId)).toEqual({ roomId: a.roomId, kind: 'match', members: 2, maxPlayers: 4, locked: false, metadata: { mode: 'duo' } });
    expect((await dan.ref.request(RoomList, { kind: 'match', options: { mode: 'solo' } })).map((r) => r.roomId)).toEqual([b.roomId]);
    // the private room is joinable by id only
    expect((await bob.ref.request(RoomJoinOrCreate, { kind: 'match', options: { mode: 'duo' } })).roomId).toBe(a.roomId);
    expect((await bob.ref.request(RoomJoin, { roomId: secret.roomId })).roomId).toBe(secret.roomId);
  });

  it('lets a player be in several rooms; server code joins with player.rooms', async () => {
    const log: string[] = [];
    const Match = defineRoom({ name: 'match', maxPlayers: 4 }).handle(Where, (room) => ({ roomId: room.id, members: [...room.members.keys()] }));
    const { port, node } = await startRoomServer([Match, chatRoom(log)]);
    const ann = await player(port, 'ann');
    const bob = await player(port, 'bob');
    const m = await ann.ref.request(ServerJoin, { kind: 'match' });
    const c = await ann.ref.request(ServerJoin, { kind: 'chat' });
    expect(m.rooms).toBe(1);
    expect(c.rooms).toBe(2);
    await bob.ref.request(RoomJoin, { roomId: c.roomId });
    expect(await toRoom(bob, c.roomId, Say, { text: 'hey' })).toEqual({ heard: 1 });
    await ann.received(RoomPush.type, 1);
    expect(await ann.ref.request(RoomLeave, { roomId: c.roomId })).toBe(true);
    expect(await toRoom(ann, m.roomId, Where, {})).toEqual({ roomId: m.roomId, members: ['ann'] });
    const annActor = node.holder.get('ann')!;
    expect(annActor.rooms.list.map((r) => r.id)).toEqual([m.roomId]);
    expect(annActor.rooms.has(c.roomId)).toBe(false);
  });

  it('kick and dispose tell the members with room.left', async () => {
    const { port, node } = await startRoomServer([chatRoom([])]);
    const ann = await player(port, 'ann');
    const bob = await player(port, 'bob');
    const { roomId } = await ann.ref.request(RoomCreate, { kind: 'chat' });
    await bob.ref.request(RoomJoin, { roomId });
    const room = node.rooms.get(roomId)!;
    expect(await room.kick(room.members.get('bob')!, 'AFK', 'idle')).toBe(true);
    const [left] = await bob.received(RoomLeft.type, 1);
    expect(left!.payload).toEqual({ roomId, code: 'AFK', text: 'idle' });
    await room.dispose();
    const [gone] = await ann.received(RoomLeft.type, 1);
    expect(gone!.payload).toMatchObject({ roomId, code: RoomErrorCode.DISPOSED });
    await expect(toRoom(ann, roomId, Say, { text: 'x' })).rejects.toMatchObject({ code: RoomErrorCode.NOT_IN_ROOM });
  });
});
