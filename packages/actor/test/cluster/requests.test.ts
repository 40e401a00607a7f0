import { Service } from '@hearth/net';
import { defineMessage, ErrorCode, HearthError } from '@hearth/protocol';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ClusterErrorCode, createNode, definePlayer, devAuthenticator } from '../../src/index.ts';
import { BackplaneErrorCode } from '../../src/backplane/errors.ts';
import { canStopRedis, ManualClock } from '../../src/testing/index.ts';
import { cleanup } from '../helpers.ts';
import { startGameNode } from './gameNode.ts';
import { once, useClusterFixture } from './helpers.ts';

const Echo = defineMessage<{ text: string; bytes?: Uint8Array }, { text: string; from: string; node: string; bytes?: Uint8Array }>(500, 'test.node.echo');
const Fail = defineMessage<{ code: string }, never>(501, 'test.node.fail');
const Hang = defineMessage<Record<string, never>, never>(502, 'test.node.hang');
const Nobody = defineMessage<Record<string, never>, never>(503, 'test.node.nobody');

/** The coded rejection of a promise. */
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof HearthError) return err.code;
    throw err;
  }
  throw new Error('expected a coded rejection');
}

describe('node-to-node requests (real Redis)', () => {
  const fx = useClusterFixture(cleanup);

  it('answers typed replies across nodes and on the node itself; coded errors travel back', async () => {
    const a = await startGameNode(fx.redis, 'ra', fx.closers);
    const b = await startGameNode(fx.redis, 'rb', fx.closers);
    for (const n of [a, b]) {
      n.node.cluster.handle(Echo, ({ text, bytes }, from) => ({ text, from, node: n.node.holder.nodeId, ...(bytes && { bytes }) }));
      n.node.cluster.handle(Fail, ({ code }) => {
        throw new HearthError(code, `failed with ${code}`);
      });
    }
    expect(await a.node.cluster.request('rb', Echo, { text: 'hi', bytes: new Uint8Array([1, 2, 3]) })).toEqual({ text: 'hi', from: 'ra', node: 'rb', bytes: new Uint8Array([1, 2, 3]) });
    expect(await b.node.cluster.request('ra', Echo, { text: 'yo' })).toEqual({ text: 'yo', from: 'rb', node: 'ra' });
    expect(await a.node.cluster.request('ra', Echo, { text: 'self' })).toEqual({ text: 'self', from: 'ra', node: 'ra' });
    await expect(a.node.cluster.request('rb', Fail, { code: 'NOPE' })).rejects.toMatchObject({ code: 'NOPE', message: 'failed with NOPE' });
    expect(await codeOf(a.node.cluster.request('rb', Nobody, {}))).toBe(ErrorCode.UNKNOWN_TYPE);
    // many at once: every reply finds its request
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => a.node.cluster.request('rb', Echo, { text: String(i) })));
    expect(replies.map((r) => r.text)).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
    expect(a.node.cluster.pending).toBe(0);
    expect(() => a.node.cluster.handle(Echo, () => ({ text: '', from: '', node: '' }))).toThrow(HearthError);
  });

  it('rejects TIMEOUT when a live node does not answer, NODE_UNREACHABLE for a node not in the registry', async () => {
    const clock = new ManualClock();
    const a = await startGameNode(fx.redis, 'ta', fx.closers, { clock });
    const b = await startGameNode(fx.redis, 'tb', fx.closers);
    let reached!: () => void;
    const arrived = new Promise<void>((resolve) => (reached = resolve));
    b.node.cluster.handle(Hang, () => {
      reached();
      return new Promise<never>(() => {});
    });
    const hanging = codeOf(a.node.cluster.request('tb', Hang, {}, { timeoutMs: 2_000 }));
    await arrived;
    clock.advance(2_000);
    expect(await hanging).toBe(ErrorCode.TIMEOUT);
    expect(a.node.cluster.stats.timeouts).toBe(1);

    expect(await codeOf(a.node.cluster.request('never-was', Echo, { text: 'x' }))).toBe(ClusterErrorCode.NODE_UNREACHABLE);
    await b.node.close();
    await b.backplane.close(); // drained: gone from the registry
    clock.advance(1_001); // past the cached "tb is live"
    expect(await codeOf(a.node.cluster.request('tb', Echo, { text: 'x' }, { timeoutMs: 60_000 }))).toBe(ClusterErrorCode.NODE_UNREACHABLE);
    expect(a.node.cluster.pending).toBe(0);
  });

  it('drops and counts malformed requests and replies; never throws; the next request works', async () => {
    const a = await startGameNode(fx.redis, 'ma', fx.closers);
    const b = await startGameNode(fx.redis, 'mb', fx.closers);
    b.node.cluster.handle(Echo, ({ text }, from) => ({ text, from, node: 'mb' }));
    const garbage: unknown[] = ['x', null, [], [0], [0, -1, 500, {}], [0, 1.5, 500, {}], [0, 1, 'type', {}], [1, 1, 0, 42], [1, 1, 0, 'X'.repeat(65)], [9, 1, 2, 3], [1, 0, 1, 'x']];
    for (const g of garbage) b.backplane.sendToNode('ma', 'hearth.rpc', g);
    b.backplane.sendToNode('ma', 'hearth.rpc', [1, 987_654, 1, 'late']); // a reply to nothing
    expect(await a.node.cluster.request('mb', Echo, { text: 'after' })).toEqual({ text: 'after', from: 'ma', node: 'mb' });
    // the batch above went before the request on the same channel: all of it was handled by now
    expect(a.node.cluster.stats.rejected).toBe(garbage.length);
    expect(a.node.cluster.stats.lateReplies).toBe(1);
  });

  it.skipIf(!canStopRedis)('fails fast with BACKPLANE_UNAVAILABLE while Redis is down, pending requests included', async () => {
    const a = await startGameNode(fx.redis, 'da', fx.closers);
    const b = await startGameNode(fx.redis, 'db', fx.closers);
    let reached!: () => void;
    const arrived = new Promise<void>((resolve) => (reached = resolve));
    b.node.cluster.handle(Hang, () => {
      reached();
      return new Promise<never>(() => {});
    });
    const hanging = codeOf(a.node.cluster.request('db', Hang, {}, { timeoutMs: 60_000 }));
    await arrived;
    const down = once(a.backplane, 'down');
    await fx.redis.stop();
    await down;
    expect(await hanging).toBe(BackplaneErrorCode.BACKPLANE_UNAVAILABLE);
    expect(await codeOf(a.node.cluster.request('db', Echo, { text: 'x' }))).toBe(BackplaneErrorCode.BACKPLANE_UNAVAILABLE);
    await fx.redis.restart();
  });

  it('works in memory for the node itself; another node is NODE_UNREACHABLE', async () => {
    const service = new Service({ log: false });
    const node = await createNode({ service, player: definePlayer(), authenticate: devAuthenticator, logger: pino({ enabled: false }) });
    fx.closers.push(async () => {
      await node.close();
      await service.close({ deadlineMs: 500 });
    });
    node.cluster.handle(Echo, ({ text }, from) => ({ text, from, node: node.holder.nodeId }));
    expect(await node.cluster.request(node.holder.nodeId, Echo, { text: 'mem' })).toEqual({ text: 'mem', from: node.holder.nodeId, node: node.holder.nodeId });
    expect(await codeOf(node.cluster.request('elsewhere', Echo, { text: 'x' }))).toBe(ClusterErrorCode.NODE_UNREACHABLE);
    expect(node.cluster.clustered).toBe(false);
  });
});
