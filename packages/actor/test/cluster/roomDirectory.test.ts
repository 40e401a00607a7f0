import { describe, expect, it } from 'vitest';
import { RoomDirectory, type FreshRoom } from '../../src/cluster/RoomDirectory.ts';
import { cleanup } from '../helpers.ts';
import { rawClient, useClusterFixture } from './helpers.ts';

const fresh = (roomId: string, nodeId: string, over: Partial<FreshRoom> = {}): FreshRoom => ({
  roomId,
  nodeId,
  kind: 'duel',
  maxPlayers: 2,
  filter: '["ranked"]',
  options: '{"mode":"ranked"}',
  private: false,
  ...over,
});

describe('room directory (real Redis)', () => {
  const fx = useClusterFixture(cleanup);

  it('joinOrCreate fills the oldest open room of the kind and filter, then creates; seats free on release', async () => {
    await using r = rawClient(fx.redis);
    const dir = new RoomDirectory(r, fx.redis.prefix);
    const a = await dir.joinOrCreate(fresh('r1', 'n1'), 1);
    expect(a).toMatchObject({ mode: 'create', roomId: 'r1', nodeId: 'n1', state: 'creating' });
    expect(await dir.joinOrCreate(fresh('r2', 'n2', { filter: '["casual"]' }), 2)).toMatchObject({ mode: 'create', roomId: 'r2', nodeId: 'n2' });
    const b = await dir.joinOrCreate(fresh('r3', 'n2'), 3);
    expect(b).toMatchObject({ mode: 'join', roomId: 'r1', nodeId: 'n1', options: '{"mode":"ranked"}' });
    expect(await dir.reserve('r1')).toBe('ROOM_FULL');
    expect(await dir.joinOrCreate(fresh('r4', 'n2'), 4)).toMatchObject({ mode: 'create', roomId: 'r4' });
    await dir.releaseSeat('r1');
    expect(await dir.joinOrCreate(fresh('r5', 'n2'), 5, 'n3')).toMatchObject({ mode: 'join', roomId: 'r1' }); // none on n3: oldest first
    await dir.update({ roomId: 'r4', kind: 'duel', maxPlayers: 2, filter: '["ranked"]', options: '{}', locked: true, private: false, metadata: { map: 'x' } }, 'n2', 4);
    expect(await dir.joinOrCreate(fresh('r6', 'n1'), 6)).toMatchObject({ mode: 'create', roomId: 'r6' }); // r4 locked
    expect(await dir.reserve('r4')).toBe('ROOM_LOCKED');
    expect(await dir.reserve('nope')).toBe('ROOM_NOT_FOUND');
    const listed = await dir.list('duel', undefined, 10);
    expect(listed.map((l) => [l.roomId, l.members, l.locked])).toEqual([['r1', 2, false], ['r2', 1, false], ['r4', 1, true], ['r6', 1, false]]);
    expect((await dir.list('duel', '["casual"]', 10)).map((l) => l.roomId)).toEqual(['r2']);
    expect(listed[2]!.metadata).toEqual({ map: 'x' });
    expect(await dir.nodeOf('r2')).toBe('n2');
    await dir.remove('r2', 'n2');
    expect(await dir.nodeOf('r2')).toBeUndefined();
    expect(await dir.reserve('r2')).toBe('ROOM_NOT_FOUND');
    // private rooms: found by id, never listed or picked
    await dir.create(fresh('p1', 'n1', { private: true, filter: '["casual"]' }), 7);
    expect(await dir.joinOrCreate(fresh('r7', 'n1', { filter: '["casual"]' }), 8)).toMatchObject({ mode: 'create', roomId: 'r7' });
    expect(await dir.reserve('p1')).toMatchObject({ roomId: 'p1', nodeId: 'n1', kind: 'duel' });
    expect((await dir.list('duel', '["casual"]', 10)).map((l) => l.roomId)).toEqual(['r7']);
    // a room its node created without a seat here (node.rooms.create) is registered by its first update; not by another node
    await dir.update({ roomId: 'u1', kind: 'duel', maxPlayers: 2, filter: '["solo"]', options: '{}', locked: false, private: false, metadata: null }, 'n3', 9);
    expect(await dir.nodeOf('u1')).toBe('n3');
    await dir.update({ roomId: 'u1', kind: 'duel', maxPlayers: 2, filter: '["solo"]', options: '{}', locked: true, private: false, metadata: null }, 'n1', 10);
    expect((await dir.list('duel', '["solo"]', 10)).find((l) => l.roomId === 'u1')).toMatchObject({ members: 0, locked: false });
    expect(await dir.reserve('u1')).toMatchObject({ roomId: 'u1', nodeId: 'n3' });
    expect(await dir.joinOrCreate(fresh('r8', 'n1', { filter: '["solo"]' }), 11)).toMatchObject({ mode: 'join', roomId: 'u1', nodeId: 'n3' });
  });

  it("joinOrCreate prefers an open room on the joiner's node, else the oldest on any node", async () => {
    await using r = rawClient(fx.redis);
    const dir = new RoomDirectory(r, fx.redis.prefix);
    const three = { kind: 'local', maxPlayers: 3 };
    expect(await dir.joinOrCreate(fresh('l1', 'n1', three), 1)).toMatchObject({ mode: 'create', nodeId: 'n1' });
    expect(await dir.joinOrCreate(fresh('l2', 'n2', three), 2, 'n2')).toMatchObject({ mode: 'join', roomId: 'l1' }); // none on n2 yet: n1's
    await dir.create(fresh('l3', 'n2', three), 3);
    // both nodes have an open room: each node's joiners fill their own first, the older room on n1 notwithstanding
    expect(await dir.joinOrCreate(fresh('x1', 'n2', three), 4, 'n2')).toMatchObject({ mode: 'join', roomId: 'l3', nodeId: 'n2' });
    expect(await dir.joinOrCreate(fresh('x2', 'n2', three), 5, 'n2')).toMatchObject({ mode: 'join', roomId: 'l3', nodeId: 'n2' });
    // l3 is full: n2's next joiner takes n1's last seat (any node) rather than a new room
    expect(await dir.joinOrCreate(fresh('x4', 'n2', three), 7, 'n2')).toMatchObject({ mode: 'join', roomId: 'l1', nodeId: 'n1' });
    expect(await dir.joinOrCreate(fresh('x5', 'n1', three), 8, 'n1')).toMatchObject({ mode: 'create', roomId: 'x5', nodeId: 'n1' });
  });

  it("placement local: a node's joiners take seats in its own rooms only, else a new room there; at capacity, any node's", async () => {
    await using r = rawClient(fx.redis);
    const dir = new RoomDirectory(r, fx.redis.prefix);
    const three = { kind: 'near', maxPlayers: 3 };
    expect(await dir.joinOrCreate(fresh('m1', 'n1', three), 1, 'n1', 'local')).toMatchObject({ mode: 'create', roomId: 'm1', nodeId: 'n1' });
    // n1's room is open and older, but n2 has capacity: a room of its own, not a seat across nodes
    expect(await dir.joinOrCreate(fresh('m2', 'n2', three), 2, 'n2', 'local')).toMatchObject({ mode: 'create', roomId: 'm2', nodeId: 'n2' });
    expect(await dir.joinOrCreate(fresh('m3', 'n2', three), 3, 'n2', 'local')).toMatchObject({ mode: 'join', roomId: 'm2', nodeId: 'n2' });
    expect(await dir.joinOrCreate(fresh('m4', 'n1', three), 4, 'n1', 'local')).toMatchObject({ mode: 'join', roomId: 'm1', nodeId: 'n1' });
    // n3 at capacity (its new room would go to n1): the oldest open room on any node, as with fill
    expect(await dir.joinOrCreate(fresh('m5', 'n1', three), 5, 'n3', 'local')).toMatchObject({ mode: 'join', roomId: 'm1', nodeId: 'n1' });
    expect(await dir.joinOrCreate(fresh('m6', 'n2', three), 6, 'n2', 'local')).toMatchObject({ mode: 'join', roomId: 'm2' });
    // both full: the next one is a new room on the joiner's node; one partly filled room per node at a time
    expect(await dir.joinOrCreate(fresh('m7', 'n2', three), 7, 'n2', 'local')).toMatchObject({ mode: 'create', roomId: 'm7', nodeId: 'n2' });
    expect(await r.zrange(dir.openKey('near', fresh('', '').filter), '0', '-1')).toEqual(['m7']);
    // create (a private or explicit room) and joinOrCreate register the same keys: found, listed, on its node
    await dir.create(fresh('m8', 'n1', three), 8);
    expect(await dir.joinOrCreate(fresh('m9', 'n1', three), 9, 'n1', 'local')).toMatchObject({ mode: 'join', roomId: 'm8', nodeId: 'n1' });
    expect(await r.smembers(dir.nodeKey('n1'))).toEqual(expect.arrayContaining(['m1', 'm8']));
    expect(await r.smembers(dir.ownersKey())).toEqual(expect.arrayContaining(['n1', 'n2']));
    expect((await dir.list('near', undefined, 10)).map((l) => l.roomId)).toEqual(['m1', 'm2', 'm7', 'm8']);
  });

  it("placement local: a node finds its own open room (the candidates it names) behind 40 older open rooms of other nodes", async () => {
    await using r = rawClient(fx.redis);
    const dir = new RoomDirectory(r, fx.redis.prefix);
    const two = { kind: 'crowd', maxPlayers: 2 };
    for (let i = 0; i < 40; i++) await dir.create(fresh(`o${i}`, 'n2', two), i);
    expect(await dir.joinOrCreate(fresh('mine', 'n1', two), 100, 'n1', 'local')).toMatchObject({ mode: 'create', roomId: 'mine' });
    for (let i = 40; i < 50; i++) await dir.create(fresh(`o${i}`, 'n2', two), 100 + i); // newer: 'mine' is in neither window now
    expect(await dir.joinOrCreate(fresh('lost', 'n1', two), 200, 'n1', 'local')).toMatchObject({ mode: 'create', roomId: 'lost' });
    // a candidate of another kind, another node's room or a missing one is passed over
    expect(await dir.joinOrCreate(fresh('x', 'n1', two), 201, 'n1', 'local', ['o3', 'nope', 'mine'])).toMatchObject({ mode: 'join', roomId: 'mine', nodeId: 'n1' });
    expect(await dir.joinOrCreate(fresh('y', 'n1', two), 202, 'n1', 'local', ['mine'])).toMatchObject({ mode: 'join', roomId: 'lost' }); // mine is full: lost is the newest, in the window
  });

  it('placement local: two joins of one node racing for the last seat of its room: exactly one gets it, every time', async () => {
    await using r1 = rawClient(fx.redis);
    await using r2 = rawClient(fx.redis);
    const d1 = new RoomDirectory(r1, fx.redis.prefix);
    const d2 = new RoomDirectory(r2, fx.redis.prefix);
    for (let i = 0; i < 50; i++) {
      const kind = `lrace${i}`;
      expect((await d1.joinOrCreate(fresh(`lc${i}`, 'n1', { kind, maxPlayers: 2 }), i, 'n1', 'local')).mode).toBe('create');
      const [x, y] = await Promise.all([d1.joinOrCreate(fresh(`lx${i}`, 'n1', { kind }), i, 'n1', 'local', [`lc${i}`]), d2.joinOrCreate(fresh(`ly${i}`, 'n1', { kind }), i, 'n1', 'local', [`lc${i}`])]);
      const joined = [x, y].filter((s) => s.mode === 'join');
      expect(joined).toHaveLength(1);
      expect(joined[0]!.roomId).toBe(`lc${i}`);
      expect([x, y].filter((s) => s.mode === 'create')[0]!.nodeId).toBe('n1');
    }
  });

  it('two connections racing for the last seat: exactly one gets it, every time', async () => {
    await using r1 = rawClient(fx.redis);
    await using r2 = rawClient(fx.redis);
    const d1 = new RoomDirectory(r1, fx.redis.prefix);
    const d2 = new RoomDirectory(r2, fx.redis.prefix);
    for (let i = 0; i < 100; i++) {
      const kind = `race${i}`;
      const created = await d1.joinOrCreate(fresh(`c${i}`, 'n1', { kind, maxPlayers: 2 }), i);
      expect(created.mode).toBe('create');
      const [x, y] = await Promise.all([d1.joinOrCreate(fresh(`x${i}`, 'n1', { kind }), i), d2.joinOrCreate(fresh(`y${i}`, 'n2', { kind }), i)]);
      const joined = [x, y].filter((s) => s.mode === 'join');
      expect(joined).toHaveLength(1);
      expect(joined[0]!.roomId).toBe(`c${i}`);
    }
  });
});
