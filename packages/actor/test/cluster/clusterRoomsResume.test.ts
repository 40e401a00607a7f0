import { ErrorCode, RoomCreate, RoomJoin, RoomPush, defineMessage } from '@hearth/protocol';
import { describe, expect, it, vi } from 'vitest';
import { defineRoom } from '../../src/index.ts';
import { ManualClock } from '../../src/testing/index.ts';
import { cleanup, clientService, connect, until, type TestClient } from '../helpers.ts';
import { Said, Say, player, toRoom } from '../rooms/roomServer.ts';
import { rawClient, useClusterFixture } from './helpers.ts';
import { startRoomNode, type RoomNode } from './roomNodes.ts';

const Info = defineMessage<Record<string, never>, { members: Array<[string, string]> }>(221, 'test.cluster.info');

/** A chat room that logs its hooks, whichever node runs it. */
function chat(log: string[]) {
  return defineRoom({ name: 'chat', maxPlayers: 8, emptyTimeout: false, state: () => ({}) })
    .handle(Say, (room, m, { text }) => {
      room.broadcast(Said, { from: m.userId, text }, { except: m });
      return { heard: room.members.size - 1 };
    })
    .handle(Info, (room) => ({ members: [...room.members.values()].map((m) => [m.userId, m.nodeId] as [string, string]).sort() }))
    .hooks({
      onJoin: (_room, m) => void log.push(`join ${m.userId}@${m.nodeId}`),
      onLeave: (_room, m, reason) => void log.push(`leave ${m.userId} ${reason.code}`),
    });
}

/** A logged-in client and its resume token. */
async function login(port: number, name: string): Promise<{ client: TestClient; token: string }> {
  const client = await connect(clientService(), port);
  const { resumeToken } = await client.login(name);
  return { client, token: resumeToken };
}

/** Drops `client`'s link and waits until its node parked it in Redis (grace). */
async function drop(client: TestClient, node: RoomNode, token: string, raw: ReturnType<typeof rawClient>): Promise<void> {
  client.close(ErrorCode.CLOSED);
  await vi.waitFor(async () => expect(await raw.exists(node.backplane.keys.resume(token))).toBe(1));
}

describe('a player that resumes on another node keeps its room seats (real Redis, three nodes)', () => {
  const fx = useClusterFixture(cleanup);

  it('seats in rooms on its old node, a third node and its new node move to the new node: no onLeave, room.send at once, broadcasts and queued pushes reach it', async () => {
    const log: string[] = [];
    const a = await startRoomNode(fx.redis, 'ra', [chat(log)], fx.closers);
    const b = await startRoomNode(fx.redis, 'rb', [chat(log)], fx.closers);
    const c = await startRoomNode(fx.redis, 'rc', [chat(log)], fx.closers);
    await using raw = rawClient(fx.redis);
    const ann = await login(a.port, 'ann');
    const bea = await player(b.port, 'bea');
    const cid = await player(c.port, 'cid');
    const onA = (await ann.client.request(RoomCreate, { kind: 'chat' })).roomId;
    const onB = (await bea.request(RoomCreate, { kind: 'chat' })).roomId;
    const onC = (await cid.request(RoomCreate, { kind: 'chat' })).roomId;
    await ann.client.request(RoomJoin, { roomId: onB });
    await ann.client.request(RoomJoin, { roomId: onC });
    expect([a.node.rooms.get(onA), b.node.rooms.get(onB), c.node.rooms.get(onC)].every((r) => r !== undefined)).toBe(true);

    await drop(ann.client, a, ann.token, raw);
    // while ann is away: a broadcast in the room on B (queued for her on A, mirrored to her record)
    expect(await toRoom(bea, onB, Say, { text: 'while away' })).toEqual({ heard: 1 });
    await vi.waitFor(async () => expect(await raw.llen(a.backplane.keys.resumeQueue(ann.token))).toBe(1));

    const back = await connect(clientService(), c.port);
    await expect(back.resume(ann.token)).resolves.toMatchObject({ userId: 'ann' });
    // room.send works at once, in each room, and the member's node is now C
    expect(await toRoom(back, onB, Info, {})).toEqual({ members: [['ann', 'rc'], ['bea', 'rb']] });
    expect(await toRoom(back, onC, Info, {})).toEqual({ members: [['ann', 'rc'], ['cid', 'rc']] });
    expect(await toRoom(back, onA, Info, {})).toEqual({ members: [['ann', 'rc']] });
    expect(c.node.rooms.of(c.node.holder.get('ann')!).ids.sort()).toEqual([onA, onB, onC].sort());
    // the push queued meanwhile first, then live broadcasts of every room
    expect((await back.received(RoomPush.type, 1))[0]!.payload).toEqual([onB, Said.type, { from: 'bea', text: 'while away' }]);
    expect(await toRoom(bea, onB, Say, { text: 'welcome back' })).toEqual({ heard: 1 });
    expect(await toRoom(cid, onC, Say, { text: 'hi' })).toEqual({ heard: 1 });
    const pushes = (await back.received(RoomPush.type, 3)).map((m) => m.payload);
    expect(pushes.slice(1).sort()).toEqual([[onB, Said.type, { from: 'bea', text: 'welcome back' }], [onC, Said.type, { from: 'cid', text: 'hi' }]].sort());
    expect(await toRoom(back, onB, Say, { text: 'from c' })).toEqual({ heard: 1 });
    expect((await bea.received(RoomPush.type, 1))[0]!.payload).toEqual([onB, Said.type, { from: 'ann', text: 'from c' }]);

    // A stopped ann's old actor quietly; its room prunes nothing (a listing prunes) and no onLeave ran anywhere
    await until(() => a.node.holder.get('ann') === undefined);
    expect(a.node.rooms.list('chat').find((r) => r.roomId === onA)?.members).toBe(1);
    expect(log.filter((l) => l.startsWith('leave'))).toEqual([]);
    expect(log.filter((l) => l.startsWith('join ann'))).toEqual(['join ann@ra', 'join ann@ra', 'join ann@ra']);
    // she leaves for real from C: onLeave once per room
    await c.node.holder.get('ann')!.close('BYE');
    await until(() => log.filter((l) => l === 'leave ann BYE').length === 3);
  });

  it('its old node crashed (lease not lapsed yet): the room node moves the seat, and its sweep of the dead node leaves her in', async () => {
    const log: string[] = [];
    const clock = new ManualClock();
    const a = await startRoomNode(fx.redis, 'ka', [chat(log)], fx.closers);
    const b = await startRoomNode(fx.redis, 'kb', [chat(log)], fx.closers, { clock });
    const c = await startRoomNode(fx.redis, 'kc', [chat(log)], fx.closers);
    await using raw = rawClient(fx.redis);
    const ann = await login(a.port, 'ann');
    const bea = await player(b.port, 'bea');
    const { roomId } = await bea.request(RoomCreate, { kind: 'chat' });
    await ann.client.request(RoomJoin, { roomId });
    await drop(ann.client, a, ann.token, raw);
    await a.crash();

    const back = await connect(clientService(), c.port);
    await expect(back.resume(ann.token)).resolves.toMatchObject({ userId: 'ann' });
    expect(await toRoom(back, roomId, Info, {})).toEqual({ members: [['ann', 'kc'], ['bea', 'kb']] });
    for (let i = 0; i < 100 && (await b.backplane.isNodeLive('ka')); i++) await new Promise((done) => setTimeout(done, 50));
    clock.advance(2_000); // B's sweep: A left the cluster, but ann is C's now
    expect(await toRoom(bea, roomId, Say, { text: 'still there?' })).toEqual({ heard: 1 });
    expect((await back.received(RoomPush.type, 1))[0]!.payload).toEqual([roomId, Said.type, { from: 'bea', text: 'still there?' }]);
    expect(log).toEqual(['join bea@kb', 'join ann@ka']);
  });
});
