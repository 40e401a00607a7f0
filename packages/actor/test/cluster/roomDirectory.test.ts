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
