import { HearthError, RoomCreate, RoomJoin, RoomJoinOrCreate, RoomLeave, RoomLeft, RoomList, RoomPush, defineMessage } from '@hearth/protocol';
import { describe, expect, it } from 'vitest';
import { defineRoom, RoomErrorCode } from '../../src/index.ts';
import { canStopRedis, ManualClock } from '../../src/testing/index.ts';
import { cleanup, clientService, connect, until } from '../helpers.ts';
import { Said, Say, Where, codeOf, player, toRoom } from '../rooms/roomServer.ts';
import { RoomDirectory } from '../../src/cluster/RoomDirectory.ts';
import { once, useClusterFixture } from './helpers.ts';
import { startRoomNode } from './roomNodes.ts';

const Kick = defineMessage<{ who: string }, boolean>(220, 'test.cluster.kick');
const Info = defineMessage<Record<string, never>, { members: Array<[string, string]> }>(221, 'test.cluster.info');
const Hang = defineMessage<Record<string, never>, never>(222, 'test.cluster.hang');

/** A chat room that logs its hooks, whichever node runs it. */
function chat(log: string[], maxPlayers = 8, hang?: () => void) {
  return defineRoom({ name: 'chat', maxPlayers, filterBy: ['mode'], state: () => ({ lines: [] as string[] }) })
    .handle(Say, (room, m, { text }) => {
      if (text === '') throw new HearthError('EMPTY', 'say something');
      room.state.lines.push(`${m.userId}: ${text}`);
      room.broadcast(Said, { from: m.userId, text }, { except: m });
      return { heard: room.members.size - 1 };
    })
    .handle(Where, (room) => ({ roomId: room.id, members: [...room.members.keys()].sort() }))
    .handle(Info, (room) => ({ members: [...room.members.values()].map((m) => [m.userId, m.nodeId] as [string, string]) }))
    .handle(Kick, (room, _m, { who }) => room.kick(who, 'OUT', 'bye'))
    .handle(Hang, () => {
      hang?.();
      return new Promise<never>(() => {});
    })
    .hooks({
      onJoin: (_room, m, options) => {
        if (options['banned'] === true) throw new HearthError('BANNED', 'not you');
        log.push(`join ${m.userId}@${m.nodeId}`);
      },
      onLeave: (_room, m, reason) => void log.push(`leave ${m.userId} ${reason.code}`),
    });
}

describe('rooms across nodes (real Redis, two and three nodes)', () => {
  const fx = useClusterFixture(cleanup);

  it('a player on B joins, addresses, hears and leaves a room on A; kick and close cross too', async () => {
    const log: string[] = [];
    const a = await startRoomNode(fx.redis, 'a', [chat(log)], fx.closers);
    const b = await startRoomNode(fx.redis, 'b', [chat(log)], fx.closers);
    const ann = await player(a.port, 'ann');
    const bob = await player(b.port, 'bob');
    const cid = await player(b.port, 'cid');
    const { roomId } = await ann.ref.request(RoomCreate, { kind: 'chat', options: { mode: 'x' } });
    expect(a.node.rooms.get(roomId)).toBeDefined(); // placed on the creator's node
    const joined = await bob.ref.request(RoomJoin, { roomId });
    expect(joined).toMatchObject({ roomId, kind: 'chat', state: { lines: [] } });
    expect(b.node.rooms.get(roomId)).toBeUndefined();
    expect(await toRoom(bob, roomId, Say, { text: 'hi from b' })).toEqual({ heard: 1 });
    expect((await ann.received(RoomPush.type, 1))[0]!.payload).toEqual([roomId, Said.type, { from: 'bob', text: 'hi from b' }]);
    expect(await toRoom(ann, roomId, Say, { text: 'hi from a' })).toEqual({ heard: 1 });
    expect((await bob.received(RoomPush.type, 1))[0]!.payload).toEqual([roomId, Said.type, { from: 'ann', text: 'hi from a' }]);
    await expect(toRoom(bob, roomId, Say, { text: '' })).rejects.toMatchObject({ code: 'EMPTY' }); // coded error back across
    expect((await toRoom(bob, roomId, Info, {})).members).toEqual([['ann', 'a'], ['bob', 'b']]);
    await expect(toRoom(cid, roomId, Say, { text: 'x' })).rejects.toMatchObject({ code: RoomErrorCode.NOT_IN_ROOM });

    await cid.ref.request(RoomJoin, { roomId });
    expect(await bob.ref.request(RoomLeave, { roomId })).toBe(true);
    await expect(toRoom(bob, roomId, Say, { text: 'x' })).rejects.toMatchObject({ code: RoomErrorCode.NOT_IN_ROOM });
    // kicked from A: cid on B gets room.left, and its node forgets the membership
    expect(await toRoom(ann, roomId, Kick, { who: 'cid' })).toBe(true);
    expect((await cid.received(RoomLeft.type, 1))[0]!.payload).toEqual({ roomId, code: 'OUT', text: 'bye' });
    await until(() => !b.node.rooms.of(b.node.holder.get('cid')!).has(roomId));
    // a member's player ends on its node: onLeave (on A) sees its code
    await bob.ref.request(RoomJoin, { roomId });
    await b.node.holder.get('bob')!.close('GOODBYE');
    await until(() => log.includes('leave bob GOODBYE'));
    expect(log).toEqual(['join ann@a', 'join bob@b', 'join cid@b', 'leave bob LEFT', 'leave cid OUT', 'join bob@b', 'leave bob GOODBYE']);
    expect([...a.node.rooms.get(roomId)!.members.keys()]).toEqual(['ann']);
  });

  it('a room created by server code (node.rooms.create) is found by id from another node', async () => {
    const Lobby = defineRoom({ name: 'chat', maxPlayers: 8, filterBy: ['mode'], emptyTimeout: false });
    const a = await startRoomNode(fx.redis, 'sa1', [Lobby], fx.closers);
    const b = await startRoomNode(fx.redis, 'sb1', [Lobby], fx.closers);
    const room = await a.node.rooms.create('chat', { mode: 'lobby' });
    room.setMetadata({ title: 'lobby' });
    const bob = await player(b.port, 'bob');
    expect((await bob.ref.request(RoomJoin, { roomId: room.id })).roomId).toBe(room.id);
    expect(await bob.ref.request(RoomList, { kind: 'chat' })).toEqual([{ roomId: room.id, kind: 'chat', members: 1, maxPlayers: 8, locked: false, metadata: { title: 'lobby' } }]);
    expect((await bob.ref.request(RoomJoinOrCreate, { kind: 'chat', options: { mode: 'lobby' } })).roomId).toBe(room.id);
  });

  it('the race for the last seat across two nodes: exactly one gets it, every time', async () => {
    const a = await startRoomNode(fx.redis, 'ra', [chat([], 2)], fx.closers);
    const b = await startRoomNode(fx.redis, 'rb', [chat([], 2)], fx.closers);
    const [ann, cid] = [await player(a.port, 'ann'), await player(a.port, 'cid')];
    const dan = await player(b.port, 'dan');
    for (let i = 0; i < 25; i++) {
      const mode = `m${i}`;
      const first = await ann.ref.request(RoomJoinOrCreate, { kind: 'chat', options: { mode } });
      const [x, y] = await Promise.all([cid.ref.request(RoomJoinOrCreate, { kind: 'chat', options: { mode } }), dan.ref.request(RoomJoinOrCreate, { kind: 'chat', options: { mode } })]);
      expect([x.roomId, y.roomId].filter((id) => id === first.roomId)).toHaveLength(1);
      expect(x.roomId).not.toBe(y.roomId);
      expect(a.node.rooms.get(first.roomId)!.members.size).toBe(2);
      for (const [c, id] of [[ann, first.roomId], [cid, x.roomId], [dan, y.roomId]] as const) await c.ref.request(RoomLeave, { roomId: id });
    }
  });

  it('filters, listings and private rooms across nodes; placement on the node with the fewest players when full', async () => {
    const a = await startRoomNode(fx.redis, 'fa', [chat([])], fx.closers, { roomNodeCapacity: 1 });
    const b = await startRoomNode(fx.redis, 'fb', [chat([])], fx.closers);
    const ann = await player(a.port, 'ann');
    const [bob, cid, dan] = [await player(b.port, 'bob'), await player(b.port, 'cid'), await player(b.port, 'dan')];
    const duo = await ann.ref.request(RoomJoinOrCreate, { kind: 'chat', options: { mode: 'duo' } });
    expect(a.node.rooms.get(duo.roomId)).toBeDefined();
    const solo = await bob.ref.request(RoomJoinOrCreate, { kind: 'chat', options: { mode: 'solo' } });
    expect(solo.roomId).not.toBe(duo.roomId);
    expect((await cid.ref.request(RoomJoinOrCreate, { kind: 'chat', options: { mode: 'duo' } })).roomId).toBe(duo.roomId);
    const listed = await dan.ref.request(RoomList, { kind: 'chat', options: { mode: 'duo' } });
    expect(listed).toEqual([{ roomId: duo.roomId, kind: 'chat', members: 2, maxPlayers: 8, locked: false, metadata: null }]);
    expect((await dan.ref.request(RoomList, { kind: 'chat' })).map((l) => l.roomId)).toEqual([duo.roomId, solo.roomId]);
    // a is at capacity (1 player in its rooms): ann's next room goes to b
    const secret = await ann.ref.request(RoomCreate, { kind: 'chat', options: { mode: 'duo' }, private: true });
    expect(b.node.rooms.get(secret.roomId)?.private).toBe(true);
    expect((await dan.ref.request(RoomList, { kind: 'chat' })).map((l) => l.roomId)).not.toContain(secret.roomId);
    expect((await dan.ref.request(RoomJoinOrCreate, { kind: 'chat', options: { mode: 'duo' } })).roomId).toBe(duo.roomId); // never the private one
    expect((await bob.ref.request(RoomJoin, { roomId: secret.roomId })).roomId).toBe(secret.roomId);
    expect((await toRoom(ann, secret.roomId, Where, {})).members).toEqual(['ann', 'bob']);
    const eve = await player(b.port, 'eve');
    expect(await codeOf(eve.ref.request(RoomJoin, { roomId: 'nosuchroom00' }))).toBe(RoomErrorCode.NOT_FOUND);
    expect(await codeOf(eve.ref.request(RoomJoin, { roomId: duo.roomId, options: { banned: true } }))).toBe('BANNED'); // refused there, seat freed
    expect((await dan.ref.request(RoomList, { kind: 'chat', options: { mode: 'duo' } }))[0]!.members).toBe(3);
  });

  it('a player in two rooms on two nodes hears both and leaves both when it closes', async () => {
    const log: string[] = [];
    const a = await startRoomNode(fx.redis, 'ta', [chat(log)], fx.closers);
    const b = await startRoomNode(fx.redis, 'tb', [chat(log)], fx.closers);
    const [ann, bob] = [await player(a.port, 'ann'), await player(b.port, 'bob')];
    const onA = await ann.ref.request(RoomCreate, { kind: 'chat' });
    const onB = await bob.ref.request(RoomCreate, { kind: 'chat' });
    await ann.ref.request(RoomJoin, { roomId: onB.roomId });
    await bob.ref.request(RoomJoin, { roomId: onA.roomId });
    expect(a.node.rooms.of(a.node.holder.get('ann')!).ids.sort()).toEqual([onA.roomId, onB.roomId].sort());
    await toRoom(bob, onA.roomId, Say, { text: 'in a' });
    await toRoom(bob, onB.roomId, Say, { text: 'in b' });
    const heard = (await ann.received(RoomPush.type, 2)).map((m) => m.payload);
    expect(heard).toEqual([[onA.roomId, Said.type, { from: 'bob', text: 'in a' }], [onB.roomId, Said.type, { from: 'bob', text: 'in b' }]]);
    await a.node.holder.get('ann')!.close('BYE');
    await until(() => log.filter((l) => l === 'leave ann BYE').length === 2);
    expect([...b.node.rooms.get(onB.roomId)!.members.keys()]).toEqual(['bob']);
    expect([...a.node.rooms.get(onA.roomId)!.members.keys()]).toEqual(['bob']);
  });

  it("removes the members of a crashed node once its lease lapsed (onLeave sees CLOSED, the seat frees)", async () => {
    const log: string[] = [];
    const clock = new ManualClock();
    const a = await startRoomNode(fx.redis, 'ca', [chat(log, 2)], fx.closers, { clock });
    const b = await startRoomNode(fx.redis, 'cb', [chat(log, 2)], fx.closers);
    const [ann, bob] = [await player(a.port, 'ann'), await player(b.port, 'bob')];
    const { roomId } = await ann.ref.request(RoomCreate, { kind: 'chat' });
    await bob.ref.request(RoomJoin, { roomId });
    clock.advance(2_000); // a sweep while b is alive: no one leaves
    await until(() => a.node.rooms.get(roomId)!.members.size === 2);
    await b.crash();
    for (let i = 0; i < 100 && (await a.backplane.isNodeLive('cb')); i++) await new Promise((done) => setTimeout(done, 50));
    clock.advance(2_000);
    await until(() => log.includes('leave bob CLOSED'));
    expect([...a.node.rooms.get(roomId)!.members.keys()]).toEqual(['ann']);
    const cid = await player(a.port, 'cid');
    expect((await cid.ref.request(RoomJoin, { roomId })).roomId).toBe(roomId); // bob's seat is free again
  });

  it("a member's connected state reaches the room's node (grace, then resume)", async () => {
    const clock = new ManualClock();
    const a = await startRoomNode(fx.redis, 'pa', [chat([])], fx.closers);
    const b = await startRoomNode(fx.redis, 'pb', [chat([])], fx.closers, { clock });
    const ann = await player(a.port, 'ann');
    const bob = await connect(clientService(), b.port);
    const { resumeToken } = await bob.login('bob');
    const { roomId } = await ann.ref.request(RoomCreate, { kind: 'chat' });
    await bob.ref.request(RoomJoin, { roomId });
    const bobThere = () => a.node.rooms.get(roomId)!.members.get('bob')!;
    expect(bobThere().connected).toBe(true);
    bob.ref.close('CLOSED');
    await until(() => b.node.holder.get('bob')?.connected === false);
    clock.advance(2_000);
    await until(() => !bobThere().connected);
    const again = await connect(clientService(), b.port);
    await again.resume(resumeToken);
    await until(() => b.node.holder.get('bob')?.connected === true);
    clock.advance(2_000);
    await until(() => bobThere().connected);
    expect(await toRoom(again, roomId, Say, { text: 'back' })).toEqual({ heard: 1 });
  });

  it('a room restored on another node after its node died: a member on a third node joins it by id again, its seat kept', async () => {
    const Counter = defineRoom({ name: 'chat', maxPlayers: 2, emptyTimeout: false, checkpointEvery: 1, state: () => ({ lines: [] as string[] }) })
      .handle(Say, (room, m, { text }) => {
        room.state.lines.push(`${m.userId}: ${text}`);
        return { heard: room.state.lines.length };
      })
      .handle(Where, (room) => ({ roomId: room.id, members: [...room.members.keys()].sort() }));
    const a = await startRoomNode(fx.redis, 'fa1', [Counter], fx.closers, { failover: true });
    const b = await startRoomNode(fx.redis, 'fb1', [Counter], fx.closers, { failover: true });
    await startRoomNode(fx.redis, 'fc1', [Counter], fx.closers, { failover: true });
    const [ann, bob] = [await player(a.port, 'ann'), await player(b.port, 'bob')];
    const { roomId } = await ann.ref.request(RoomCreate, { kind: 'chat' });
    expect(await toRoom(ann, roomId, Say, { text: 'one' })).toEqual({ heard: 1 });
    await bob.ref.request(RoomJoin, { roomId }); // a membership change: checkpointed (with 'one')
    expect((await toRoom(bob, roomId, Where, {})).members).toEqual(['ann', 'bob']);
    await a.crash();
    const dir = new RoomDirectory(b.backplane.redis, fx.redis.prefix);
    for (let i = 0; i < 200 && ((await dir.nodeOf(roomId)) ?? 'fa1') === 'fa1'; i++) await new Promise((done) => setTimeout(done, 50));
    expect(['fb1', 'fc1']).toContain(await dir.nodeOf(roomId));
    expect(await codeOf(toRoom(bob, roomId, Say, { text: 'two' }))).toBe(RoomErrorCode.UNREACHABLE);
    // the room is full (ann's seat is kept while she is away): bob comes back into his own seat
    expect((await bob.ref.request(RoomJoin, { roomId })).roomId).toBe(roomId);
    expect(await toRoom(bob, roomId, Say, { text: 'two' })).toEqual({ heard: 2 }); // its checkpointed state
    expect((await toRoom(bob, roomId, Where, {})).members).toEqual(['ann', 'bob']);
  });

  it('ROOM_UNREACHABLE once the room node left the registry; TIMEOUT when a live one does not answer', async () => {
    let reached!: () => void;
    const hanging = new Promise<void>((resolve) => (reached = resolve));
    const clock = new ManualClock();
    const a = await startRoomNode(fx.redis, 'ua', [chat([], 8, () => reached())], fx.closers);
    const b = await startRoomNode(fx.redis, 'ub', [chat([], 8)], fx.closers, { clock });
    const [ann, bob] = [await player(a.port, 'ann'), await player(b.port, 'bob')];
    const { roomId } = await ann.ref.request(RoomCreate, { kind: 'chat' });
    await bob.ref.request(RoomJoin, { roomId });
    const timedOut = codeOf(toRoom(bob, roomId, Hang, {}));
    await hanging;
    clock.advance(5_000);
    expect(await timedOut).toBe('TIMEOUT');
    await a.crash();
    // the crashed node's lease lapses (3 heartbeats of 200 ms); then it is unreachable, not slow
    for (let i = 0; i < 100 && (await b.backplane.isNodeLive('ua')); i++) await new Promise((done) => setTimeout(done, 50));
    clock.advance(1_001); // past the cached "ua is live"
    expect(await codeOf(toRoom(bob, roomId, Say, { text: 'anyone?' }))).toBe(RoomErrorCode.UNREACHABLE);
    // joinOrCreate passes the dead node's room by (and no longer picks it): a new room here
    const cid = await player(b.port, 'cid');
    const fresh = await cid.ref.request(RoomJoinOrCreate, { kind: 'chat' });
    expect(fresh.roomId).not.toBe(roomId);
    expect(b.node.rooms.get(fresh.roomId)).toBeDefined();
    const dan = await player(b.port, 'dan');
    expect((await dan.ref.request(RoomJoinOrCreate, { kind: 'chat' })).roomId).toBe(fresh.roomId);
  });

  it.skipIf(!canStopRedis)('while Redis is down: room requests fail fast with BACKPLANE_UNAVAILABLE, a local room keeps answering', async () => {
    const a = await startRoomNode(fx.redis, 'da', [chat([])], fx.closers);
    const ann = await player(a.port, 'ann');
    const { roomId } = await ann.ref.request(RoomCreate, { kind: 'chat' });
    const down = once(a.backplane, 'down');
    await fx.redis.stop();
    await down;
    expect(await codeOf(ann.ref.request(RoomJoinOrCreate, { kind: 'chat' }))).toBe('BACKPLANE_UNAVAILABLE');
    expect(await codeOf(ann.ref.request(RoomList, { kind: 'chat' }))).toBe('BACKPLANE_UNAVAILABLE');
    expect(await codeOf(ann.ref.request(RoomCreate, { kind: 'chat' }))).toBe('BACKPLANE_UNAVAILABLE');
    expect(await toRoom(ann, roomId, Say, { text: 'still here' })).toEqual({ heard: 0 });
    await fx.redis.restart();
  });
});
