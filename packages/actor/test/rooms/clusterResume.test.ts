import { ErrorCode, RoomCreate, RoomJoin } from '@hearth/protocol';
import { Service } from '@hearth/net';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { createNode, defineRoom } from '../../src/index.ts';
import { devAuthenticator } from '../../src/index.ts';
import { startRedis, type TestRedis } from '../../src/testing/index.ts';
import { startNode } from '../cluster/helpers.ts';
import { cleanup, clientService, connect, until } from '../helpers.ts';
import { roomPlayer } from './roomServer.ts';

let redis: TestRedis;
const closers: (() => Promise<void>)[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await cleanup();
  for (const close of closers.splice(0).reverse()) await close();
});
afterAll(async () => {
  await redis[Symbol.asyncDispose]();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any room kind
async function roomNode(nodeId: string, rooms: readonly any[]) {
  const backplane = await startNode(redis, nodeId);
  const service = new Service({ log: false });
  const node = await createNode({
    service,
    player: roomPlayer,
    authenticate: devAuthenticator,
    backplane,
    rooms,
    timeouts: { grace: 10_000 },
    listen: [{ address: 'tcp://127.0.0.1:0', protocol: 'msgpack' }],
    logger: pino({ enabled: false }),
  });
  closers.push(async () => {
    await node.close();
    await service.close({ deadlineMs: 500 });
    await backplane.close();
  });
  return { node, port: node.endpoints[0]!.port, backplane };
}

it('keeps the seat of a member that resumed on another node (its actor there stopped without a leave hook; issue 11)', async () => {
  const log: string[] = [];
  const Duel = defineRoom({ name: 'duel', maxPlayers: 2 }).hooks({ onLeave: (_r, p, reason) => void log.push(`leave ${p.userId} ${reason.code}`) });
  const a = await roomNode('a', [Duel]);
  const b = await roomNode('b', [Duel]);
  const clients = clientService();
  const alice = await connect(clients, a.port);
  const { resumeToken } = await alice.login('alice');
  const bob = await connect(clients, a.port);
  await bob.login('bob');
  const { roomId } = await alice.ref.request(RoomCreate, { kind: 'duel' });
  await bob.ref.request(RoomJoin, { roomId });
  const cid = await connect(clients, a.port);
  await cid.login('cid');
  await expect(cid.ref.request(RoomJoin, { roomId })).rejects.toMatchObject({ code: 'ROOM_FULL' });

  alice.ref.close(ErrorCode.CLOSED);
  await until(() => a.node.holder.get('alice')?.connected === false);
  const again = await connect(clients, b.port);
  await vi.waitFor(async () => expect(await again.resume(resumeToken)).toMatchObject({ userId: 'alice' }));
  await until(() => a.node.holder.get('alice') === undefined);
  // alice's seat on a is hers, held by b now: the room is still full and saw no one go
  await expect(cid.ref.request(RoomJoin, { roomId })).rejects.toMatchObject({ code: 'ROOM_FULL' });
  const room = a.node.rooms.get(roomId)!;
  expect([...room.members.values()].map((m) => `${m.userId}@${m.nodeId}`).sort()).toEqual(['alice@b', 'bob@a']);
  expect(log).toEqual([]);
});
