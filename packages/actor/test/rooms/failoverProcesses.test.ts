// Rooms outlive their node, with real processes (issue 11, item 4): three node processes on a
// private redis-server, twelve rooms with two players each. SIGKILL one node: every one of its
// rooms is back on a survivor with the same id and its checkpointed state, and its players are
// back in their rooms. SIGTERM another: it drains, zero rooms are lost, and the state carries
// the changes made right before the handoff. Waits are on events and polls with bounded counts.
import { RoomJoin, RoomCreate } from '@hearth/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '../../src/room/checkpoint/checkpointCodec.ts';
import { parseOwner, RedisRoomStore } from '../../src/room/checkpoint/RedisRoomStore.ts';
import { startRedis, type TestRedis } from '../../src/testing/index.ts';
import { rawClient } from '../cluster/helpers.ts';
import { cleanup } from '../helpers.ts';
import { Add } from './failoverRooms.ts';
import { startNodeProcess, type NodeProcess } from './nodeProcess.ts';
import { player, toRoom } from './roomServer.ts';

/** The room's total as `client` reads it (`label` names the step in a failure). */
async function totalOf(label: string, client: Awaited<ReturnType<typeof player>>, roomId: string): Promise<number> {
  try {
    return (await toRoom(client, roomId, Add, { n: 0 })).total;
  } catch (err) {
    throw new Error(`${label}: room ${roomId}: ${String(err)}`, { cause: err });
  }
}

interface TestRoom {
  readonly roomId: string;
  readonly players: readonly string[];
  total: number;
}

describe('rooms outlive their node: 3 node processes', () => {
  let redis: TestRedis;
  const procs: NodeProcess[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await cleanup();
    for (const p of procs) p.signal('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    await redis[Symbol.asyncDispose]();
  });

  it('SIGKILL: every room back on a survivor with its checkpointed state, players back in; SIGTERM: zero rooms lost, state as of the handoff', { timeout: 180_000 }, async () => {
    const nodes = await Promise.all(['p1', 'p2', 'p3'].map((id) => startNodeProcess(redis, id)));
    procs.push(...nodes);
    await using r = rawClient(redis);
    const store = new RedisRoomStore(r, redis.prefix);
    const ownerOf = async (roomId: string) => parseOwner(await r.hget(store.ownerKey(), roomId))?.nodeId;
    const portOf = (nodeId: string | undefined) => nodes.find((n) => n.nodeId === nodeId)!.port;

    // 12 rooms, 4 per node, 2 players each (connected to the room's node)
    const clients = new Map<string, Awaited<ReturnType<typeof player>>>();
    const byNode = new Map<string, TestRoom[]>();
    for (const [i, n] of nodes.entries()) {
      const list: TestRoom[] = [];
      for (let j = 0; j < 4; j++) {
        const [a, b] = [`n${i}r${j}a`, `n${i}r${j}b`];
        const ca = await player(n.port, a);
        const cb = await player(n.port, b);
        clients.set(a, ca).set(b, cb);
        const { roomId } = await ca.ref.request(RoomCreate, { kind: 'counter' });
        await cb.ref.request(RoomJoin, { roomId });
        await toRoom(ca, roomId, Add, { n: i * 100 + j });
        list.push({ roomId, players: [a, b], total: (await toRoom(cb, roomId, Add, { n: 1 })).total });
      }
      byNode.set(n.nodeId, list);
    }
    const all = [...byNode.values()].flat();
    expect(all).toHaveLength(12);

    // every room's checkpoint holds its total (written within 5 ticks)
    for (const room of all) {
      for (let i = 0; i < 1_000; i++) {
        const bytes = await r.getBuffer(store.checkpointKey(room.roomId));
        if (bytes !== null && (decodeCheckpoint(bytes).state as { total: number }).total === room.total) break;
        if (i === 999) throw new Error(`room ${room.roomId}: no checkpoint with its total`);
        await new Promise((done) => setTimeout(done, 20));
      }
    }

    // SIGKILL p2: each of its rooms is restored on p1 or p3
    const [p1, p2, p3] = nodes as [NodeProcess, NodeProcess, NodeProcess];
    p2.signal('SIGKILL');
    expect(await p2.exited).toBe('SIGKILL');
    const isRestored = (roomId: string) => (e: Record<string, unknown>) => (e['restored'] as { roomId?: string } | undefined)?.roomId === roomId;
    for (const room of byNode.get('p2')!) {
      await Promise.race([p1.event(isRestored(room.roomId)), p3.event(isRestored(room.roomId))]);
      expect(['p1', 'p3']).toContain(await ownerOf(room.roomId));
    }
    // its players log in again (their node died: no resume record was parked) on the room's node: back in the room
    for (const room of byNode.get('p2')!) {
      const port = portOf(await ownerOf(room.roomId));
      for (const name of room.players) {
        const c = await player(port, name);
        clients.set(name, c);
        expect(await totalOf(`after SIGKILL, ${name} back`, c, room.roomId)).toBe(room.total);
      }
    }

    // SIGTERM p3 right after changes no checkpoint took yet: it drains to p1 with them
    const onP3: TestRoom[] = [];
    for (const room of all) if ((await ownerOf(room.roomId)) === 'p3') onP3.push(room);
    expect(onP3.length).toBeGreaterThanOrEqual(4);
    for (const room of onP3) {
      const c = await player(p3.port, `${room.players[0]!}x`);
      await c.ref.request(RoomJoin, { roomId: room.roomId });
      room.total = (await toRoom(c, room.roomId, Add, { n: 1_000 })).total;
    }
    p3.signal('SIGTERM');
    expect(await p3.exited).toBe(0);
    expect(((await p3.event((e) => 'drained' in e))['drained'] as { handedOff: number }).handedOff).toBe(onP3.length);
    // zero rooms lost: all twelve on p1, each answering with its latest total (the players of the
    // moved rooms log in again on p1; the others never left it)
    for (const room of all) {
      expect(await ownerOf(room.roomId)).toBe('p1');
      const c = onP3.includes(room) ? await player(p1.port, room.players[1]!) : clients.get(room.players[1]!)!;
      expect(await totalOf(`after SIGTERM, ${room.players[1]!} back`, c, room.roomId)).toBe(room.total);
    }
  });
});
