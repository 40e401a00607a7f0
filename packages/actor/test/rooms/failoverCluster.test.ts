// Rooms outlive their node, in one process over a real Redis: a crashed node's rooms are claimed
// and restored by survivors (one winner per room), a draining node hands its rooms over with their
// current state, a stale owner's checkpoint is fenced, a bad checkpoint is counted, never thrown.
import { RoomCreate, RoomJoin, defineMessage } from '@hearth/protocol';
import { describe, expect, it } from 'vitest';
import { defineRoom, type Room } from '../../src/index.ts';
import { decodeCheckpoint } from '../../src/room/checkpoint/checkpointCodec.ts';
import { RedisRoomStore, parseOwner } from '../../src/room/checkpoint/RedisRoomStore.ts';
import type { RestoredRoom } from '../../src/room/checkpoint/RoomFailover.ts';
import type { RoomInstance } from '../../src/room/RoomInstance.ts';
import { canStopRedis } from '../../src/testing/index.ts';
import { once, rawClient } from '../cluster/helpers.ts';
import { until } from '../helpers.ts';
import { useFailoverNodes } from './failoverNodes.ts';
import { player, toRoom } from './roomServer.ts';

const Add = defineMessage<{ n: number }, number>(240, 'test.room.failover.add');
const Note = defineMessage<{ text: string }, number>(241, 'test.room.failover.note');
const Notes = defineRoom({ name: 'notes', maxPlayers: 8, state: () => ({ lines: [] as string[] }) }).handle(Note, (room, _m, { text }) => room.state.lines.push(text));
const Counter = defineRoom({ name: 'counter', maxPlayers: 8, emptyTimeout: false, checkpointEvery: 1_000, state: () => ({ total: 0 }) })
  .handle(Add, (room, _m, { n }) => (room.state.total += n))
  .tick(() => {});

describe('rooms outlive their node (one process, real Redis)', () => {
  const { fx, roomNode } = useFailoverNodes();

  /** Rooms made on `n` by fresh clients, each with a distinct total. */
  async function fill(n: Awaited<ReturnType<typeof roomNode>>, count: number): Promise<Map<string, number>> {
    const totals = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const c = await player(n.port, `u${n.backplane.nodeId}${i}`);
      const { roomId } = await c.ref.request(RoomCreate, { kind: 'counter' });
      totals.set(roomId, await toRoom(c, roomId, Add, { n: 10 + i }));
    }
    return totals;
  }

  function roomsOn(...nodes: Array<{ node: { rooms: { get(id: string): Room | undefined } } }>) {
    return (id: string) => nodes.map((n) => n.node.rooms.get(id)).find((r) => r !== undefined);
  }

  it('SIGKILL-like: every room of the dead node comes back on a survivor, same id and checkpointed state; its members re-enter', async () => {
    const restored: RestoredRoom[] = [];
    const a = await roomNode('fa', [Counter, Notes], restored);
    const b = await roomNode('fb', [Counter, Notes]);
    const c = await roomNode('fc', [Counter, Notes], restored);
    const totals = await fill(b, 6);
    // checkpoints on membership changes: the joins and creations above; force one with the totals in
    for (const id of totals.keys()) b.failover.checkpointer.mark(b.node.rooms.get(id) as RoomInstance);
    await b.failover.checkpointer.flush();
    await until(() => b.failover.stats.written >= 6);
    await b.kill();
    const find = roomsOn(a, c);
    for (let round = 0; round < 100 && [...totals.keys()].some((id) => find(id) === undefined); round++) {
      await Promise.all([a.failover.check(), c.failover.check()]);
      await new Promise((r) => setTimeout(r, 50)); // the dead node's lease lapses (3 × 200 ms heartbeat)
    }
    for (const [id, total] of totals) expect(find(id)?.state).toEqual({ total });
    expect(a.failover.stats.claimed + c.failover.stats.claimed).toBe(6); // exactly one winner per room
    expect(new Set(restored.map((r) => r.roomId)).size).toBe(6);
    // a member logs in again on the room's node: back in the room, and it answers
    const [id, total] = [...totals][0]!;
    const home = a.node.rooms.get(id) !== undefined ? a : c;
    expect(home.node.rooms.get(id)!.members.get('ufb0')!.connected).toBe(false);
    const back = await player(home.port, 'ufb0');
    expect(home.node.rooms.get(id)!.members.get('ufb0')!.connected).toBe(true);
    expect(await toRoom(back, id, Add, { n: 1 })).toBe(total + 1);
  });

  it('a survivor that does not serve a room\'s kind leaves it to one that does', async () => {
    const a = await roomNode('ka', [Counter, Notes]);
    const b = await roomNode('kb', [Notes]); // no counter rooms here
    const c = await roomNode('kc', [Counter, Notes]);
    const totals = await fill(c, 4);
    for (const id of totals.keys()) c.failover.checkpointer.mark(c.node.rooms.get(id) as RoomInstance);
    await c.failover.checkpointer.flush();
    await c.kill();
    for (let round = 0; round < 100 && [...totals.keys()].some((id) => a.node.rooms.get(id) === undefined); round++) {
      await Promise.all([a.failover.check(), b.failover.check()]);
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const [id, total] of totals) expect(a.node.rooms.get(id)?.state).toEqual({ total });
    expect([b.failover.stats.claimed, b.failover.stats.badCheckpoints]).toEqual([0, 0]);
  });

  it('a room without a tick is checkpointed after the messages it handled', async () => {
    const a = await roomNode('ta', [Counter, Notes]);
    const c = await player(a.port, 'talker');
    const { roomId } = await c.ref.request(RoomCreate, { kind: 'notes' });
    await until(() => a.failover.stats.written >= 1);
    await toRoom(c, roomId, Note, { text: 'hello' });
    await toRoom(c, roomId, Note, { text: 'world' });
    const store = new RedisRoomStore(a.backplane.redis, fx.redis.prefix);
    await using r = rawClient(fx.redis);
    for (let i = 0; i < 200; i++) {
      const bytes = await r.getBuffer(store.checkpointKey(roomId));
      if (bytes !== null && (decodeCheckpoint(bytes).state as { lines: string[] }).lines.length === 2) break;
      await new Promise((done) => setTimeout(done, 10));
    }
    expect((decodeCheckpoint((await r.getBuffer(store.checkpointKey(roomId)))!).state as { lines: string[] }).lines).toEqual(['hello', 'world']);
  });

  it.skipIf(!canStopRedis)('through a Redis outage (restarted empty): rooms carry on, and checkpoints marked meanwhile are written when it is back', async () => {
    const a = await roomNode('oa', [Counter, Notes]);
    const c = await player(a.port, 'writer');
    const { roomId } = await c.ref.request(RoomCreate, { kind: 'notes' });
    await until(() => a.failover.stats.written >= 1);
    const down = once(a.backplane, 'down');
    await fx.redis.stop();
    await down;
    await toRoom(c, roomId, Note, { text: 'during' }); // the room carries on; its checkpoint waits
    const up = once(a.backplane, 'up');
    await fx.redis.restart(); // empty: the owner entry is gone
    await up;
    await a.failover.check(); // a round: the waiting checkpoint goes out, its owner entry written back
    await until(() => a.failover.stats.written >= 2);
    expect(a.failover.stats.fenced).toBe(0);
    expect(a.node.rooms.get(roomId)).toBeDefined();
    const store = new RedisRoomStore(a.backplane.redis, fx.redis.prefix);
    expect((await store.read(roomId)).owner).toEqual({ epoch: 1, nodeId: 'oa' });
    expect((decodeCheckpoint((await store.read(roomId)).checkpoint!).state as { lines: string[] }).lines).toEqual(['during']);
  });

  it('drain: every room goes to another node with its state as of the handoff (changes since the last checkpoint included)', async () => {
    const a = await roomNode('da', [Counter, Notes]);
    const b = await roomNode('db', [Counter, Notes]);
    const c = await roomNode('dc', [Counter, Notes]);
    const totals = await fill(a, 5);
    await until(() => a.failover.stats.written >= 5);
    const writtenBefore = a.failover.stats.written;
    // a change no periodic checkpoint took (checkpointEvery 1000 ticks): the drain must carry it
    const [first] = totals.keys();
    const annie = await player(a.port, 'annie');
    await annie.ref.request(RoomJoin, { roomId: first! });
    totals.set(first!, await toRoom(annie, first!, Add, { n: 100 }));
    await a.node.drain();
    expect(a.failover.stats.handedOff).toBe(5);
    const find = roomsOn(b, c);
    for (const [id, total] of totals) expect(find(id)?.state).toEqual({ total });
    expect(a.node.rooms.get(first!)).toBeUndefined();
    expect(a.failover.stats.written).toBeGreaterThanOrEqual(writtenBefore);
    await a.stop(); // the drained node closed: it released nothing of the moved rooms
    await b.failover.check();
    await c.failover.check();
    for (const id of totals.keys()) expect(find(id)).toBeDefined();
  });

  it('two nodes drained at once (both SIGTERMed): neither takes the other\'s rooms, both drains end, every room is back on the next node', async () => {
    // no drain timeout to fall back on: a drain that waited for a stopping target would time the test out
    const a = await roomNode('wa', [Counter, Notes], [], { drainTimeoutMs: 600_000 });
    const b = await roomNode('wb', [Counter, Notes], [], { drainTimeoutMs: 600_000 });
    const totals = new Map([...(await fill(a, 3)), ...(await fill(b, 3))]);
    await until(() => a.failover.stats.written >= 3 && b.failover.stats.written >= 3);
    const [aTotals, bTotals] = [a, b].map((n) => [...totals].filter(([id]) => n.node.rooms.get(id) !== undefined));
    // one change each since the last checkpoint: carried by the drains' final checkpoints
    for (const [n, [id]] of [[a, aTotals![0]!], [b, bTotals![0]!]] as const) {
      const late = await player(n.port, `late${n.backplane.nodeId}`);
      await late.ref.request(RoomJoin, { roomId: id });
      totals.set(id, await toRoom(late, id, Add, { n: 1000 }));
    }
    await Promise.all([a.node.drain(), b.node.drain()]);
    expect(a.node.rooms.rooms().next().done).toBe(true);
    expect(b.node.rooms.rooms().next().done).toBe(true);
    await Promise.all([a.stop(), b.stop()]);
    // nothing was released: every room is owned in Redis with its final checkpoint, and the next node takes them all
    const restored: RestoredRoom[] = [];
    const c = await roomNode('wc', [Counter, Notes], restored);
    await c.failover.check();
    for (const [id, total] of totals) expect(c.node.rooms.get(id)?.state).toEqual({ total });
    expect(restored).toHaveLength(6);
  });

  it('fences a stale owner: its checkpoint write is refused and its copy stops; a bad checkpoint is counted, not thrown', async () => {
    const a = await roomNode('sa', [Counter, Notes]);
    const b = await roomNode('sb', [Counter, Notes]);
    const [id] = (await fill(a, 1)).keys();
    await until(() => a.failover.stats.written >= 1);
    const store = new RedisRoomStore(a.backplane.redis, fx.redis.prefix);
    await using r = rawClient(fx.redis);
    const owner = parseOwner(await r.hget(store.ownerKey(), id!))!;
    expect(owner).toEqual({ epoch: 1, nodeId: 'sa' });
    // b takes the room over behind a's back (as a survivor does when a's lease lapsed)
    await r.set(store.checkpointKey(id!), Buffer.from([0xc1, 0xc1])); // and its checkpoint is garbage
    expect(await store.move(id!, owner, 'sb')).toMatchObject({ epoch: 2 });
    a.failover.checkpointer.mark(a.node.rooms.get(id!) as RoomInstance);
    await until(() => a.failover.stats.fenced === 1);
    expect(a.node.rooms.get(id!)).toBeUndefined(); // stopped quietly, the owner is b now
    await b.failover.check(); // b owns a room it does not hold: restores it, finds the checkpoint bad
    expect(b.failover.stats.badCheckpoints).toBe(1);
    expect(b.node.rooms.get(id!)).toBeUndefined();
    expect(await r.hget(store.ownerKey(), id!)).toBeNull(); // released: no one retries it forever
  });
});
