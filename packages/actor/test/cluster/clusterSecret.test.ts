import { BatchWriter, encodeMessage, ErrorCode, Kind } from '@hearth/protocol';
import { describe, expect, it, vi } from 'vitest';
import { BackplaneOp } from '../../src/cluster/BackplaneOp.ts';
import { EnvelopeSigner } from '../../src/cluster/EnvelopeSigner.ts';
import type { RedisBackplane } from '../../src/cluster/RedisBackplane.ts';
import { cleanup, clientService, connect, Echo } from '../helpers.ts';
import { startGameNode } from './gameNode.ts';
import { inbox, rawClient, startNode, useClusterFixture } from './helpers.ts';

const SECRET = 'correct horse battery staple, 32b';
const msg = (n: number): Uint8Array => encodeMessage({ kind: Kind.PUSH, type: 100, payload: { n } });

/** A backplane message body as a node would publish it: `[0, op, payload]` batch entries. */
function body(...entries: Array<[number, unknown]>): Buffer {
  const w = new BatchWriter();
  for (const [op, payload] of entries) w.push(op, payload);
  return Buffer.from(w.take());
}

describe('cluster trust: backplane messages signed with a cluster secret (real Redis)', () => {
  const fx = useClusterFixture(cleanup);

  it('without a secret (the default) a client with Redis access can forge a push: the threat', async () => {
    await using b = await startNode(fx.redis, 'b');
    await using raw = rawClient(fx.redis);
    await b.directory.claim({ userId: 'u1', nodeId: 'b', sessionId: 1 });
    const box = inbox(b);
    const got = box.next(1);
    await raw.publish(b.keys.nodeChannel('b'), body([BackplaneOp.PUSH, ['u1', msg(666), 1]]));
    expect(await got).toEqual([{ kind: 'push', userId: 'u1', bytes: msg(666) }]);
    // Even unsigned, lifecycle events and malformed ids from Redis are dropped and counted.
    await raw.publish(
      b.keys.nodeChannel('b'),
      body([BackplaneOp.EVENT, ['u1', { type: 'hearth.close', code: 'KICKED', text: 'forged' }]], [BackplaneOp.PUSH, ['u*{x}', msg(1), 0]], [BackplaneOp.RESUMED, ['*', 'u1', 'a']]),
    );
    await vi.waitFor(() => expect(b.stats().rejected).toBe(3));
    expect(box.got).toHaveLength(1);
  });

  it('drops and counts unsigned, wrongly signed and re-channelled messages; nodes with the same secret interoperate', async () => {
    await using a = await startNode(fx.redis, 'a', { clusterSecret: SECRET });
    await using b = await startNode(fx.redis, 'b', { clusterSecret: SECRET });
    await using raw = rawClient(fx.redis);
    expect(b.authenticated).toBe(true);
    await b.directory.claim({ userId: 'u1', nodeId: 'b', sessionId: 1 });
    const box = inbox(b);
    const channel = b.keys.nodeChannel('b');
    const forgedKick = body([BackplaneOp.KICK, ['u1', 1, 'KICKED', 'forged']]);
    const forgedPush = body([BackplaneOp.PUSH, ['u1', msg(666), 1]]);
    await raw.publish(channel, forgedKick); // unsigned
    await raw.publish(channel, forgedPush);
    await raw.publish(channel, new EnvelopeSigner('another secret of 32 bytes......').sign(channel, forgedKick)); // wrong secret
    await raw.publish(channel, new EnvelopeSigner(SECRET).sign(b.keys.groupChannel('room'), forgedPush)); // signed for another channel
    await raw.publish(channel, Buffer.alloc(5)); // shorter than a tag
    // then the real thing from node a, which arrives after the forgeries (one connection, in order)
    const arrived = box.next(2);
    a.publish('b', { kind: 'push', userId: 'u1', bytes: msg(1) });
    a.publish('b', { kind: 'kick', userId: 'u1', sessionId: 1, code: ErrorCode.KICKED, text: 'logged in elsewhere' });
    expect(await arrived).toEqual([
      { kind: 'push', userId: 'u1', bytes: msg(1) },
      { kind: 'kick', userId: 'u1', sessionId: 1, code: ErrorCode.KICKED, text: 'logged in elsewhere' },
    ]);
    expect(box.got).toHaveLength(2);
    expect(b.stats().rejected).toBe(5);
    // groups and application messages are signed too
    for (const n of [a, b]) n.watchGroup('room', true);
    await vi.waitFor(async () => expect(Number(((await raw.call('PUBSUB', 'NUMSUB', b.keys.groupChannel('room'))) as unknown[])[1])).toBe(2));
    const group = box.next(1);
    a.publishGroup({ kind: 'group', group: 'room', bytes: msg(2) });
    expect(await group).toEqual([{ kind: 'group', group: 'room', bytes: msg(2) }]);
    const app = new Promise<unknown>((resolve) => b.onNodeMessage('game', (payload) => resolve(payload)));
    a.sendToNode('b', 'game', ['move', 1]);
    expect(await app).toEqual(['move', 1]);
    expect(b.stats().rejected).toBe(5);
  });

  it('a rotated secret list: the first signs, every one verifies', async () => {
    await using a = await startNode(fx.redis, 'a', { clusterSecret: ['the new secret, 32 bytes long...', SECRET] });
    await using b = await startNode(fx.redis, 'b', { clusterSecret: SECRET });
    await b.directory.claim({ userId: 'u1', nodeId: 'b', sessionId: 1 });
    await a.directory.claim({ userId: 'u2', nodeId: 'a', sessionId: 1 });
    const [ba, bb] = [inbox(a), inbox(b)];
    const toA = ba.next(1);
    b.publish('a', { kind: 'push', userId: 'u2', bytes: msg(3) }); // old secret: a still verifies it
    expect(await toA).toHaveLength(1);
    const rejected = b.stats().rejected;
    a.publish('b', { kind: 'push', userId: 'u1', bytes: msg(4) }); // new secret: b (not rotated yet) drops it
    await vi.waitFor(() => expect(b.stats().rejected).toBe(rejected + 1));
    expect(bb.got).toHaveLength(0);
    expect(() => new EnvelopeSigner('short')).toThrow(/at least 16/);
  });

  it('game nodes: a forged kick of a logged-in player is ignored; a real cross-node login still replaces it', async () => {
    const a = await startGameNode(fx.redis, 'a', fx.closers, { backplane: { clusterSecret: SECRET } });
    const b = await startGameNode(fx.redis, 'b', fx.closers, { backplane: { clusterSecret: SECRET } });
    await using raw = rawClient(fx.redis);
    const clients = clientService();
    const ann = await connect(clients, b.port);
    await ann.login('ann');
    const player = b.node.holder.get('ann')!;
    const bp: RedisBackplane = b.backplane;
    await raw.publish(bp.keys.nodeChannel('b'), body([BackplaneOp.KICK, ['ann', player.sessionId, 'KICKED', 'forged']]));
    await raw.publish(bp.keys.nodeChannel('b'), body([BackplaneOp.EVENT, ['ann', { type: 'hearth.close', code: 'KICKED', text: 'forged' }]]));
    await vi.waitFor(() => expect(bp.stats().rejected).toBe(2));
    await expect(ann.request(Echo, { n: 1 })).resolves.toEqual({ n: 1 });
    expect(player.connected).toBe(true);
    const again = await connect(clients, a.port);
    await again.login('ann');
    await expect(ann.closed).resolves.toMatchObject({ code: ErrorCode.KICKED });
    expect(bp.stats().rejected).toBe(2);
  });
});
