import { Service, type ProtocolFactory, type SessionChannel } from '@hearth/net';
import { ErrorCode } from '@hearth/protocol';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createNode, devAuthenticator, type HearthNode } from '../../src/index.ts';
import type { RedisBackplane } from '../../src/cluster/RedisBackplane.ts';
import { Join, Notice, Poke, cleanup, clientService, connect, testPlayer } from '../helpers.ts';
import { rawClient, startNode, useClusterFixture } from './helpers.ts';

type Node = HearthNode<unknown, { type: string }>;

// Same stand-in as ../helpers.ts until @hearth/net registers its built-in `msgpack` protocol.
const identity: SessionChannel = { secure: false, seal: (b) => b, open: (b) => b };
const standIn: ProtocolFactory = {
  client: () => ({ hello: () => Uint8Array.of(1), receive: () => identity }),
  server: () => ({ receive: () => ({ reply: Uint8Array.of(2), channel: identity }) }),
  refusal: () => Uint8Array.of(0xff),
};
function newService(): Service {
  const service = new Service({ log: false });
  if (!service.protocols.has('msgpack')) service.protocols.register('msgpack', standIn);
  return service;
}

/** Two game nodes (holder + binder on their own service and port), joined by Redis backplanes. */
describe('two holders over the Redis backplane (real Redis, real sockets)', () => {
  const fx = useClusterFixture(cleanup);

  async function gameNode(nodeId: string): Promise<{ node: Node; port: number; backplane: RedisBackplane }> {
    const backplane = await startNode(fx.redis, nodeId);
    const service = newService();
    const node = (await createNode({
      service,
      player: testPlayer(),
      authenticate: devAuthenticator,
      backplane,
      listen: [{ address: 'tcp://127.0.0.1:0', protocol: 'msgpack' }],
      logger: pino({ enabled: false }),
    })) as unknown as Node;
    fx.closers.push(async () => {
      await node.close();
      await service.close({ deadlineMs: 500 });
      await backplane.close();
    });
    return { node, port: node.endpoints[0]!.port, backplane };
  }

  it('sends to a user on the other node', async () => {
    const a = await gameNode('a');
    const b = await gameNode('b');
    const clients = clientService();
    const alice = await connect(clients, a.port);
    const bob = await connect(clients, b.port);
    await alice.login('alice');
    await bob.login('bob');
    expect(await a.backplane.directory.read('bob')).toMatchObject({ nodeId: 'b' });
    await alice.request(Poke, { to: 'bob', seq: 1 });
    await alice.request(Poke, { to: 'bob', seq: 2 });
    const got = await bob.received(Notice.type, 2);
    expect(got.map((m) => m.payload)).toEqual([{ seq: 1 }, { seq: 2 }]);
  });

  it('broadcasts to a room across nodes with one PUBLISH per broadcast', async () => {
    const a = await gameNode('a');
    const b = await gameNode('b');
    const clients = clientService();
    const onA = await Promise.all([0, 1, 2].map(() => connect(clients, a.port)));
    const onB = await Promise.all([0, 1, 2].map(() => connect(clients, b.port)));
    await Promise.all([...onA, ...onB].map((c, i) => c.login(`p${i}`)));
    await Promise.all([...onA, ...onB].map((c) => c.request(Join, { room: 'r1' })));
    // b's subscription to the room channel is in place once its subscriber answered
    await using raw = rawClient(fx.redis);
    await expect.poll(async () => (await raw.call('PUBSUB', 'NUMSUB', b.backplane.keys.groupChannel('r1')) as unknown[])[1]).toBe(2);
    const before = a.backplane.stats().publishes;
    const reached = a.node.holder.broadcast('r1', Notice, { seq: 42 });
    expect(reached).toBe(3);
    for (const c of [...onA, ...onB]) expect((await c.received(Notice.type, 1))[0]!.payload).toEqual({ seq: 42 });
    expect(a.backplane.stats().publishes - before).toBe(1);
  });

  it('kicks the older session of a duplicate login on the other node', async () => {
    const a = await gameNode('a');
    const b = await gameNode('b');
    const clients = clientService();
    const first = await connect(clients, a.port);
    await first.login('dana');
    const second = await connect(clients, b.port);
    await second.login('dana');
    expect((await first.closed).code).toBe(ErrorCode.KICKED);
    expect(a.node.holder.get('dana')).toBeUndefined();
    expect(b.node.holder.get('dana')).toBeDefined();
    expect(await a.backplane.directory.read('dana')).toMatchObject({ nodeId: 'b' });
  });

  it('removes the directory entry when the player leaves', async () => {
    const a = await gameNode('a');
    const clients = clientService();
    const c = await connect(clients, a.port);
    await c.login('eve');
    expect(await a.backplane.directory.read('eve')).toMatchObject({ nodeId: 'a' });
    await a.node.holder.kick('eve');
    await expect.poll(() => a.backplane.directory.read('eve')).toBeUndefined(); // released after the leave hook, asynchronously
  });
});
