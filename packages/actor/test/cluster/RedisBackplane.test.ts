import { encodeMessage, HearthError, Kind } from '@hearth/protocol';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BackplaneErrorCode as ClusterErrorCode } from '../../src/backplane/errors.ts';
import { ClusterKeys } from '../../src/cluster/ClusterKeys.ts';
import { canStopRedis, startRedis, type TestRedis } from '../../src/testing/index.ts';
import { commandCalls, inbox, once, rawClient, startNode } from './helpers.ts';

const msg = (n: number): Uint8Array => encodeMessage({ kind: Kind.PUSH, type: 100, payload: { n } });

describe('RedisBackplane (real Redis)', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis[Symbol.asyncDispose]();
  });

  it('batches the publishes of one turn: 100 pushes to a node cost 1 PUBLISH, delivered in order', async () => {
    await using a = await startNode(redis, 'a');
    await using b = await startNode(redis, 'b');
    await using raw = rawClient(redis);
    await b.directory.claim({ userId: 'u1', nodeId: 'b', sessionId: 1 });
    const box = inbox(b);
    const before = await commandCalls(raw, 'publish');
    const statsBefore = a.stats().publishes;
    const arrived = box.next(100);
    for (let i = 0; i < 100; i++) a.publish('b', { kind: 'push', userId: 'u1', bytes: msg(i) });
    const got = await arrived;
    expect(a.stats().publishes - statsBefore).toBe(1);
    if (redis.private) expect((await commandCalls(raw, 'publish')) - before).toBe(1);
    expect(got.map((e) => (e.kind === 'push' ? e.bytes : undefined))).toEqual([...Array(100).keys()].map(msg));
    expect(got.every((e) => e.kind === 'push' && e.userId === 'u1')).toBe(true);
  });

  it('sendToNode: application messages by topic, batched with the rest, sender id attached', async () => {
    await using a = await startNode(redis, 'a');
    await using b = await startNode(redis, 'b');
    const got: Array<[unknown, string]> = [];
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    const off = b.onNodeMessage('game', (payload, from) => {
      got.push([payload, from]);
      if (got.length === 3) done();
    });
    const before = a.stats().publishes;
    for (let i = 0; i < 3; i++) a.sendToNode('b', 'game', ['move', i]);
    await all;
    expect(got).toEqual([[['move', 0], 'a'], [['move', 1], 'a'], [['move', 2], 'a']]);
    expect(a.stats().publishes - before).toBe(1);
    off();
    expect(await a.redis.ping()).toBe('PONG');
  });

  it('publishes a group broadcast once for all nodes; the sender does not hear itself', async () => {
    await using a = await startNode(redis, 'a');
    await using b = await startNode(redis, 'b');
    await using c = await startNode(redis, 'c');
    for (const n of [a, b, c]) n.watchGroup('room1', true);
    const [ba, bb, bc] = [inbox(a), inbox(b), inbox(c)];
    // subscriptions are sent on watchGroup; a round trip on each subscriber orders them before the publish
    await Promise.all([b.nodes(), c.nodes()]);
    await using raw = rawClient(redis);
    await vi.waitFor(async () => expect(Number((await raw.call('PUBSUB', 'NUMSUB', b.keys.groupChannel('room1')) as unknown[])[1])).toBe(3));
    const before = a.stats().publishes;
    const [gb, gc] = [bb.next(1), bc.next(1)];
    a.publishGroup({ kind: 'group', group: 'room1', bytes: msg(7), exceptUserId: 'x' });
    expect(await gb).toEqual([{ kind: 'group', group: 'room1', bytes: msg(7), exceptUserId: 'x' }]);
    expect(await gc).toHaveLength(1);
    expect(a.stats().publishes - before).toBe(1);
    // a node that stopped watching no longer hears the group
    c.watchGroup('room1', false);
    await vi.waitFor(async () => expect(Number((await raw.call('PUBSUB', 'NUMSUB', b.keys.groupChannel('room1')) as unknown[])[1])).toBe(2));
    const next = bb.next(1);
    a.publishGroup({ kind: 'group', group: 'room1', bytes: msg(8) });
    await next;
    await a.nodes(); // one more round trip after the publish
    expect(bc.got).toHaveLength(1);
    expect(ba.got).toHaveLength(0);
  });

  it('sends kick, event and push envelopes to the node the directory names', async () => {
    await using a = await startNode(redis, 'a');
    await using b = await startNode(redis, 'b');
    const box = inbox(b);
    await b.directory.claim({ userId: 'bob', nodeId: 'b', sessionId: 5 });
    const arrived = box.next(3);
    a.publish('b', { kind: 'kick', userId: 'bob', sessionId: 5, code: 'KICKED', text: 'newer login' });
    const bonus = { type: 'game.bonus', points: 3 };
    a.publish('b', { kind: 'event', userId: 'bob', event: bonus });
    a.publish((await a.directory.lookup('bob'))!.nodeId, { kind: 'push', userId: 'bob', bytes: msg(1) });
    expect(await a.directory.lookup('nobody')).toBeUndefined();
    expect(await arrived).toEqual([
      { kind: 'kick', userId: 'bob', sessionId: 5, code: 'KICKED', text: 'newer login' },
      { kind: 'event', userId: 'bob', event: { type: 'game.bonus', points: 3 } },
      { kind: 'push', userId: 'bob', bytes: msg(1) },
    ]);
  });

  it('directory: claim returns the previous entry, release is compare-and-delete', async () => {
    await using a = await startNode(redis, 'a');
    await using b = await startNode(redis, 'b');
    expect(await a.directory.claim({ userId: 'alice', nodeId: 'a', sessionId: 1 })).toBeUndefined();
    expect(await b.directory.lookup('alice')).toMatchObject({ userId: 'alice', nodeId: 'a', sessionId: 1 });
    // alice logs in again on b: b learns the older entry (the holder kicks it)
    expect(await b.directory.claim({ userId: 'alice', nodeId: 'b', sessionId: 9 })).toMatchObject({ nodeId: 'a', sessionId: 1 });
    // a closing its old session must not erase b's newer entry
    await a.directory.release({ userId: 'alice', nodeId: 'a', sessionId: 1 });
    expect(await a.directory.unregister('alice', 1)).toBe(false);
    expect(await a.directory.read('alice')).toMatchObject({ nodeId: 'b', sessionId: 9 }); // read() reads Redis; lookup() may be cached for routing
    await b.directory.release({ userId: 'alice', nodeId: 'b', sessionId: 9 });
    expect(await a.directory.read('alice')).toBeUndefined();
  });

  it('compare-and-delete holds even against a stale local view (script level)', async () => {
    await using a = await startNode(redis, 'a');
    await using raw = rawClient(redis);
    await a.directory.claim({ userId: 'carol', nodeId: 'a', sessionId: 2 });
    // another node overwrote the entry behind a's back (a has not been told yet)
    await raw.set(a.keys.user('carol'), JSON.stringify(['z', 3, Date.now()]), 'PX', 10_000);
    expect(await a.directory.unregister('carol', 2)).toBe(false);
    expect(await raw.get(a.keys.user('carol'))).toContain('"z"');
  });

  it('registry and directory: a node that stops heartbeating expires with its users; a live one stays', async () => {
    await using live = await startNode(redis, 'live', { heartbeatMs: 50, ttlMs: 300 });
    const dead = await startNode(redis, 'dead', { heartbeatMs: 50, ttlMs: 300 });
    await live.directory.claim({ userId: 'l1', nodeId: 'live', sessionId: 1 });
    await dead.directory.claim({ userId: 'd1', nodeId: 'dead', sessionId: 1 });
    expect((await live.nodes()).map((n) => n.nodeId).sort()).toEqual(['dead', 'live']);
    const [info] = (await live.nodes()).filter((n) => n.nodeId === 'dead');
    expect(info).toMatchObject({ nodeId: 'dead', users: expect.any(Number), pid: process.pid });
    await dead.close({ drain: false }); // like a crash: no cleanup
    // Only the TTL (Redis's clock) removes them: without it these waits never end (no wall-clock bound).
    await vi.waitFor(async () => expect(await live.directory.read('d1')).toBeUndefined(), { timeout: 10_000, interval: 25 });
    await vi.waitFor(async () => expect((await live.nodes()).map((n) => n.nodeId)).toEqual(['live']), { timeout: 10_000, interval: 25 });
    // the live node's user outlived several TTLs thanks to its heartbeat
    expect(await live.directory.read('l1')).toMatchObject({ nodeId: 'live' });
  });

  it('close drains: users and registration removed at once', async () => {
    await using a = await startNode(redis, 'a');
    const b = await startNode(redis, 'b');
    await b.directory.claim({ userId: 'bo', nodeId: 'b', sessionId: 1 });
    await b.close();
    await b.close(); // idempotent
    expect(await a.directory.read('bo')).toBeUndefined();
    expect((await a.nodes()).map((n) => n.nodeId)).toEqual(['a']);
    expect(() => b.publish('a', { kind: 'push', userId: 'x', bytes: msg(1) })).toThrow(
      expect.objectContaining({ code: ClusterErrorCode.BACKPLANE_CLOSED }),
    );
  });

  it('resume records: park, append, one claim wins, the parking node is told, late appends learn where', async () => {
    await using a = await startNode(redis, 'a');
    await using b = await startNode(redis, 'b');
    await using c = await startNode(redis, 'c');
    const told = new Promise((resolve) => a.resumes.onResumed(resolve));
    await a.resumes.park('tok1', { userId: 'dora', sessionId: 4, snapshot: { value: 'active', context: { score: 12 } }, queued: [msg(1), msg(2)] }, 5_000);
    expect(await a.resumes.append('tok1', msg(3))).toEqual({ ok: true, length: 3 });
    const [rb, rc] = await Promise.all([b.resumes.claim('tok1'), c.resumes.claim('tok1')]);
    const won = rb ?? rc;
    expect([rb, rc].filter(Boolean)).toHaveLength(1);
    expect(won).toMatchObject({ userId: 'dora', nodeId: 'a', sessionId: 4, snapshot: { value: 'active', context: { score: 12 } } });
    expect(won!.queued.map((q) => Uint8Array.from(q))).toEqual([msg(1), msg(2), msg(3)]);
    const winner = rb ? 'b' : 'c';
    expect(await told).toEqual({ token: 'tok1', userId: 'dora', nodeId: winner });
    expect(await a.resumes.append('tok1', msg(4))).toEqual({ ok: false, reason: 'claimed', nodeId: winner });
    expect(await b.resumes.claim('tok1')).toBeUndefined();
    expect(await b.resumes.claim('never-issued')).toBeUndefined();
    expect(await a.resumes.append('never-issued', msg(1))).toEqual({ ok: false, reason: 'missing' });
  });

  it('resume records: bounded queue, expiry with the grace period, a dead node\'s tokens fail cleanly', async () => {
    await using a = await startNode(redis, 'a', { resumeQueueLimit: 2 });
    await using b = await startNode(redis, 'b');
    await a.resumes.park('full', { userId: 'u', sessionId: 1, snapshot: null, queued: [msg(1)] }, 5_000);
    expect(await a.resumes.append('full', msg(2))).toEqual({ ok: true, length: 2 });
    expect(await a.resumes.append('full', msg(3))).toEqual({ ok: false, reason: 'full' });
    await a.resumes.park('short', { userId: 'u', sessionId: 1, snapshot: null, queued: [] }, 50);
    await vi.waitFor(async () => expect(await a.resumes.append('short', msg(1))).toEqual({ ok: false, reason: 'missing' }), { timeout: 2_000, interval: 20 });
    expect(await b.resumes.claim('short')).toBeUndefined();

    const doomed = await startNode(redis, 'doomed', { heartbeatMs: 50, ttlMs: 200 });
    await doomed.resumes.park('orphan', { userId: 'v', sessionId: 1, snapshot: 1, queued: [] }, 10_000);
    await doomed.close({ drain: false });
    await vi.waitFor(async () => expect((await b.nodes()).map((n) => n.nodeId)).not.toContain('doomed'), { timeout: 3_000, interval: 25 });
    expect(await b.resumes.claim('orphan')).toBeUndefined();
  });

  it('keys: hash tags per user and per token, prefix without braces', () => {
    const k = new ClusterKeys('g1:');
    expect(k.user('alice')).toBe('g1:{u:alice}');
    expect(k.resume('t')).toBe('g1:{r:t}');
    expect(k.resumeQueue('t')).toBe('g1:{r:t}:q'); // same slot as the record: one Lua script touches both
    expect(k.nodes()).toBe('g1:{nodes}');
    expect(k.nodeInfo()).toBe('g1:{nodes}:info');
    expect(k.nodeChannel('n1')).toBe('g1:node:n1');
    expect(() => new ClusterKeys('bad{')).toThrow(/must not contain/);
  });
});

describe.skipIf(!canStopRedis)('RedisBackplane outage (private Redis stopped and restarted)', () => {
  it('fails fast with BACKPLANE_UNAVAILABLE while Redis is down, recovers without being recreated', async () => {
    await using redis = await startRedis();
    // Command timeouts far beyond the test's own timeout: a call that waited on one instead of failing
    // fast would fail the test, with no wall-clock bound to race on a loaded machine.
    await using a = await startNode(redis, 'a', { heartbeatMs: 100, commandTimeoutMs: 60_000 });
    await using b = await startNode(redis, 'b', { heartbeatMs: 100, commandTimeoutMs: 60_000 });
    await b.directory.claim({ userId: 'bob', nodeId: 'b', sessionId: 1 });
    const downs = Promise.all([once(a, 'down'), once(b, 'down')]);
    await redis.stop();
    await downs;

    expect(a.available).toBe(false);
    const push = () => a.publish('b', { kind: 'push', userId: 'bob', bytes: msg(1) });
    expect(push).toThrow(HearthError);
    expect(push).toThrow(expect.objectContaining({ code: ClusterErrorCode.BACKPLANE_UNAVAILABLE, message: expect.stringMatching(/REDIS_URL/) }));
    await expect(a.directory.read('bob')).rejects.toMatchObject({ code: ClusterErrorCode.BACKPLANE_UNAVAILABLE });
    await expect(a.nodes()).rejects.toMatchObject({ code: ClusterErrorCode.BACKPLANE_UNAVAILABLE });
    // a login during the outage is kept locally and written when Redis returns
    await expect(a.directory.register('ann', 2)).rejects.toMatchObject({ code: ClusterErrorCode.BACKPLANE_UNAVAILABLE });
    await expect(a.directory.claim({ userId: 'ann', nodeId: 'a', sessionId: 2 })).resolves.toBeUndefined(); // the holder's login goes on
    a.watchGroup('late', true); // never throws; subscribed on recovery

    const ups = Promise.all([once(a, 'up'), once(b, 'up')]);
    await redis.restart(); // comes back empty: the nodes re-register themselves and their users
    await ups;
    expect(a.available).toBe(true);
    expect(await a.directory.read('bob')).toMatchObject({ nodeId: 'b', sessionId: 1 });
    expect(await b.directory.read('ann')).toMatchObject({ nodeId: 'a', sessionId: 2 });
    expect((await a.nodes()).map((n) => n.nodeId).sort()).toEqual(['a', 'b']);
    const box = inbox(b);
    const arrived = box.next(1);
    a.publish((await a.directory.lookup('bob'))!.nodeId, { kind: 'push', userId: 'bob', bytes: msg(9) });
    expect(await arrived).toEqual([{ kind: 'push', userId: 'bob', bytes: msg(9) }]);
    // the group watched during the outage is live too
    const ba = inbox(a);
    const g = ba.next(1);
    b.publishGroup({ kind: 'group', group: 'late', bytes: msg(5) });
    expect(await g).toHaveLength(1);
  });
});
