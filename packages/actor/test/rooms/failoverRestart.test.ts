// Rooms outlive their cluster and their Redis, in one process over a real Redis: a node that starts
// after every node of its cluster was killed claims and restores the rooms left behind (and drops
// those it cannot restore from the directory); after Redis restarts empty, each node registers its
// live rooms again, so a join by id finds them and joinOrCreate fills them.
import { RoomCreate, RoomJoin, RoomJoinOrCreate, defineMessage } from '@hearth/protocol';
import { describe, expect, it } from 'vitest';
import { defineRoom } from '../../src/index.ts';
import { RoomDirectory } from '../../src/cluster/RoomDirectory.ts';
import type { RestoredRoom } from '../../src/room/checkpoint/RoomFailover.ts';
import { RedisRoomStore, parseOwner } from '../../src/room/checkpoint/RedisRoomStore.ts';
import type { RoomInstance } from '../../src/room/RoomInstance.ts';
import { canStopRedis } from '../../src/testing/index.ts';
import { once, rawClient } from '../cluster/helpers.ts';
import { until } from '../helpers.ts';
import { useFailoverNodes } from './failoverNodes.ts';
import { codeOf, player, toRoom } from './roomServer.ts';

const Add = defineMessage<{ n: number }, number>(242, 'test.room.restart.add');
const Counter = defineRoom({ name: 'counter', maxPlayers: 8, emptyTimeout: false, state: () => ({ total: 0 }) }).handle(Add, (room, _m, { n }) => (room.state.total += n));
/** Never checkpointed: it cannot outlive its node. */
const Scratch = defineRoom({ name: 'scratch', maxPlayers: 8, emptyTimeout: false, checkpointEvery: 0, state: () => ({}) });
const Notes = defineRoom({ name: 'notes', maxPlayers: 8, emptyTimeout: false, state: () => ({}) });

/** Polls an async condition (real Redis: the lease lapses, a background registration lands). */
async function eventually(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a cluster that starts after every node of the previous one was killed', () => {
  const { fx, roomNode } = useFailoverNodes();

  it('claims and restores the rooms left behind as it starts, and removes those it cannot restore from the directory', async () => {
    const old = await roomNode('old1', [Counter, Scratch, Notes]);
    const totals = new Map<string, number>();
    for (let i = 0; i < 6; i++) {
      const c = await player(old.port, `u${i}`);
      const { roomId } = await c.ref.request(RoomCreate, { kind: 'counter' });
      totals.set(roomId, await toRoom(c, roomId, Add, { n: 10 + i }));
    }
    const s = await player(old.port, 'scratcher');
    const { roomId: scratch } = await s.ref.request(RoomCreate, { kind: 'scratch' });
    const { roomId: notes } = await s.ref.request(RoomCreate, { kind: 'notes' });
    for (const id of totals.keys()) old.failover.checkpointer.mark(old.node.rooms.get(id) as RoomInstance);
    await old.failover.checkpointer.flush();
    await until(() => old.failover.stats.written >= 7);
    await old.kill();
    // the whole cluster is gone: wait until its lease lapsed
    await using raw = rawClient(fx.redis);
    await eventually(async () => {
      const [expiry, [sec]] = await Promise.all([raw.zscore(old.backplane.keys.nodes(), 'old1'), raw.time()]);
      return expiry === null || Number(expiry) <= Number(sec) * 1000;
    });
    const base = `${fx.redis.prefix}{rooms}:`;
    expect(await raw.exists(`${base}r:${scratch}`)).toBe(1);
    // a joiner that met a room of the dead node shelved it (out of joinOrCreate's picks, ClusterRooms)
    const [shelved] = totals.keys();
    await new RoomDirectory(raw, fx.redis.prefix).shelve(shelved!);
    expect(await raw.zscore(`${base}open:counter:[]`, shelved!)).toBeNull();

    // a new cluster on the same prefix (other node ids; it serves no 'notes')
    const restored: RestoredRoom[] = [];
    const fresh = await roomNode('new1', [Counter, Scratch], restored);
    expect(restored.length).toBe(6); // its first round ran as it started, before it listened (no timed round runs)
    for (const [id, total] of totals) expect(fresh.node.rooms.get(id)?.state).toEqual({ total });
    // restored rooms are published by their new node: the shelved one is open again
    for (const id of totals.keys()) expect(await raw.zscore(`${base}open:counter:[]`, id)).not.toBeNull();
    // the scratch room had no checkpoint: out of the directory; the notes room out of joinOrCreate's picks
    expect(await raw.exists(`${base}r:${scratch}`)).toBe(0);
    expect(await raw.zscore(`${base}open:notes:[]`, notes)).toBeNull();
    expect(fresh.failover.stats.badCheckpoints).toBe(1);

    const ann = await player(fresh.port, 'ann');
    const joined = await ann.ref.request(RoomJoinOrCreate, { kind: 'counter' });
    expect(totals.has(joined.roomId)).toBe(true); // an existing room, restored: no stall, no new room
    expect(await toRoom(ann, joined.roomId, Add, { n: 1 })).toBe(totals.get(joined.roomId)! + 1);
    expect(await codeOf(ann.ref.request(RoomJoin, { roomId: scratch }))).toBe('ROOM_NOT_FOUND');
    const other = await ann.ref.request(RoomJoinOrCreate, { kind: 'scratch' });
    expect(other.roomId).not.toBe(scratch);
    // a member of the dead cluster logs in again: back in its room
    const [first] = totals.keys();
    const owner = [...totals.keys()].indexOf(first!);
    await player(fresh.port, `u${owner}`);
    expect(fresh.node.rooms.get(first!)!.members.get(`u${owner}`)!.connected).toBe(true);
  });
});

describe.skipIf(!canStopRedis)('rooms through a Redis restarted empty', () => {
  const { fx, roomNode } = useFailoverNodes();

  it('each node registers its live rooms again: a join by id finds them, joinOrCreate fills them, ownership and checkpoint are back', async () => {
    const a = await roomNode('ra', [Counter]);
    const b = await roomNode('rb', [Counter]);
    const alice = await player(a.port, 'alice');
    const { roomId } = await alice.ref.request(RoomJoinOrCreate, { kind: 'counter' });
    expect(a.node.rooms.get(roomId)).toBeDefined(); // placed on its creator's node
    const bob = await player(b.port, 'bob');
    await bob.ref.request(RoomJoin, { roomId });
    expect(await toRoom(bob, roomId, Add, { n: 5 })).toBe(5);
    // a room handed over by a draining node: owned at epoch 2 by its new node
    const c = await roomNode('rc', [Counter]);
    const cid = await player(c.port, 'cid');
    const { roomId: moved } = await cid.ref.request(RoomCreate, { kind: 'counter' });
    await toRoom(cid, moved, Add, { n: 7 });
    await c.node.drain();
    const mover = [a, b].find((n) => n.node.rooms.get(moved) !== undefined)!;
    expect(mover.failover.checkpointer.ownerOf(moved)?.epoch).toBe(2);

    // their places in the oldest-first indexes, read back by their checkpoints
    await using before = rawClient(fx.redis);
    const kindKey = `${fx.redis.prefix}{rooms}:kind:counter`;
    const scores = await Promise.all([roomId, moved].map((id) => before.zscore(kindKey, id)));
    await until(() => a.failover.checkpointer.createdOf(roomId) !== undefined && mover.failover.checkpointer.createdOf(moved) !== undefined);
    expect([a.failover.checkpointer.createdOf(roomId), mover.failover.checkpointer.createdOf(moved)]).toEqual(scores.map(Number));

    const downs = Promise.all([once(a.backplane, 'down'), once(b.backplane, 'down')]);
    await fx.redis.stop();
    await downs;
    const ups = Promise.all([once(a.backplane, 'up'), once(b.backplane, 'up')]);
    await fx.redis.restart(); // empty
    await ups;
    await using raw = rawClient(fx.redis);
    const store = new RedisRoomStore(raw, fx.redis.prefix);
    await eventually(async () => (await raw.exists(`${fx.redis.prefix}{rooms}:r:${roomId}`)) === 1 && (await raw.hexists(store.ownerKey(), moved)) === 1);

    expect(parseOwner(await raw.hget(store.ownerKey(), roomId))).toEqual({ epoch: 1, nodeId: 'ra' });
    // registered again at their creation times, not at the restart: the older room is still listed first
    await eventually(async () => (await raw.zscore(kindKey, moved)) !== null);
    expect(await Promise.all([roomId, moved].map((id) => raw.zscore(kindKey, id)))).toEqual(scores);
    expect(await raw.hget(store.roomKey(roomId), 'created')).toBe(scores[0]);
    expect(await raw.exists(store.checkpointKey(roomId))).toBe(1);
    expect(await raw.hget(`${fx.redis.prefix}{rooms}:r:${roomId}`, 'seats')).toBe('2');
    // a member resyncs by joining by id (as @hearth/client does): still in, the state as it was
    await expect(bob.ref.request(RoomJoin, { roomId })).resolves.toMatchObject({ roomId });
    expect(await toRoom(bob, roomId, Add, { n: 1 })).toBe(6);
    // joinOrCreate finds a live room (both are open) instead of opening one beside them
    const carol = await player(b.port, 'carol');
    const picked = (await carol.ref.request(RoomJoinOrCreate, { kind: 'counter' })).roomId;
    expect([roomId, moved]).toContain(picked);
    const dave = await player(a.port, 'dave');
    await expect(dave.ref.request(RoomJoin, { roomId })).resolves.toMatchObject({ roomId });
    expect(a.node.rooms.get(roomId)!.members.size).toBe(picked === roomId ? 4 : 3);
    // the handed-over room is back with the epoch its node holds: its checkpoints are not fenced
    expect(parseOwner(await raw.hget(store.ownerKey(), moved))).toEqual({ epoch: 2, nodeId: mover.backplane.nodeId });
    // carol's and dave's joins marked rooms: those checkpoints (written from the next turn on) are done first,
    // or one still in flight would count below (seen in CI: written + 2)
    await new Promise((resolve) => setImmediate(resolve));
    await mover.failover.checkpointer.settled();
    await mover.failover.checkpointer.flush();
    const written = mover.failover.stats.written;
    mover.failover.checkpointer.mark(mover.node.rooms.get(moved) as RoomInstance);
    await mover.failover.checkpointer.flush();
    expect(mover.failover.stats.written).toBe(written + 1);
    expect(a.failover.stats.fenced + b.failover.stats.fenced).toBe(0);
    expect(mover.node.rooms.get(moved)?.state).toEqual({ total: 7 });
  });
});
