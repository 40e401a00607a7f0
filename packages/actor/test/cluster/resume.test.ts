import { ErrorCode } from '@hearth/protocol';
import { describe, expect, it, vi } from 'vitest';
import { cleanup, clientService, connect, Echo, Join, Notice, Poke, Shout, until } from '../helpers.ts';
import { startGameNode } from './gameNode.ts';
import { rawClient, useClusterFixture } from './helpers.ts';

/** Cross-node resume: two game nodes in this process over real sockets, one real Redis. */
describe('resume on any node (real Redis, real sockets)', () => {
  const fx = useClusterFixture(cleanup);

  it('resumes on the other node: queued pushes in order, data, game state and rooms carried, the parking node stops quietly', async () => {
    const a = await startGameNode(fx.redis, 'a', fx.closers);
    const b = await startGameNode(fx.redis, 'b', fx.closers);
    await using raw = rawClient(fx.redis);
    const clients = clientService();
    const alice = await connect(clients, a.port);
    const bob = await connect(clients, b.port);
    const { resumeToken } = await alice.login('alice');
    await bob.login('bob');
    await alice.request(Echo, { n: 1 });
    await alice.request(Echo, { n: 2 });
    await alice.request(Join, { room: 'r1' });
    await bob.request(Join, { room: 'r1' });

    alice.close(ErrorCode.CLOSED); // a dropped link: grace on a, the record parked in Redis
    await vi.waitFor(async () => expect(await raw.exists(a.backplane.keys.resume(resumeToken))).toBe(1));
    // pushes meanwhile: from bob on the other node (routed through the directory to a), and from a itself
    await bob.request(Poke, { to: 'alice', seq: 1 });
    await bob.request(Poke, { to: 'alice', seq: 2 });
    // (queued on a in arrival order; wait for them before a's own sends, which would otherwise overtake)
    await vi.waitFor(async () => expect(await raw.llen(a.backplane.keys.resumeQueue(resumeToken))).toBe(2));
    a.node.holder.send('alice', Notice, { seq: 3 });
    expect(a.node.holder.broadcast('r1', Notice, { seq: 4 })).toBe(1); // alice, queued (bob is on b)
    await vi.waitFor(async () => expect(await raw.llen(a.backplane.keys.resumeQueue(resumeToken))).toBe(4));

    const again = await connect(clients, b.port);
    const reply = await again.resume(resumeToken);
    expect(reply).toMatchObject({ userId: 'alice' });
    expect(reply.resumeToken).not.toBe(resumeToken);
    const got = await again.received(Notice.type, 4);
    expect(got.map((m) => m.payload)).toEqual([{ seq: 1 }, { seq: 2 }, { seq: 3 }, { seq: 4 }]);

    const moved = b.node.holder.get('alice')!;
    expect(moved.data).toEqual({ echoes: 2, room: 'r1' });
    expect(moved.state).toEqual({ active: { heartbeat: 'alive', game: 'inRoom' } });
    expect([...moved.groups]).toEqual(['r1']);
    expect(b.node.holder.members('r1').size).toBe(2);
    await expect(again.request(Echo, { n: 3 })).resolves.toEqual({ n: 3 });
    expect(moved.data).toMatchObject({ echoes: 3 });

    // a stopped its actor without the leave hook; the directory names b; nothing parked remains
    await until(() => a.node.holder.get('alice') === undefined);
    expect(a.node.holder.size).toBe(0);
    expect(a.hooks.filter((h) => h.startsWith('leave'))).toEqual([]);
    expect(a.node.holder.stats.resumedElsewhere).toBe(1);
    expect(b.node.holder.stats.resumedFromOtherNodes).toBe(1);
    await vi.waitFor(async () => expect(await b.backplane.directory.read('alice')).toMatchObject({ nodeId: 'b', sessionId: moved.sessionId }));
    // delivery after the move: a push from a reaches b; a room broadcast from b reaches alice locally
    await a.backplane.directory.locate('alice'); // (a's routing cache may still name a for up to 1 s: one forwarding hop)
    a.node.holder.send('alice', Notice, { seq: 5 });
    await again.request(Shout, { room: 'r1', seq: 6 });
    const after = await again.received(Notice.type, 6);
    expect(after.slice(4).map((m) => m.payload)).toEqual(expect.arrayContaining([{ seq: 5 }, { seq: 6 }]));
    // the old token is spent everywhere
    const third = await connect(clients, a.port);
    await expect(third.resume(resumeToken)).rejects.toMatchObject({ code: ErrorCode.UNAUTHENTICATED });
    // and the player ends once, on b, with its leave hook
    await b.node.holder.kick('alice');
    expect(b.hooks.filter((h) => h.startsWith('leave alice'))).toHaveLength(1);
  });

  it('a local resume claims the record too: the same token then fails on the other node', async () => {
    const a = await startGameNode(fx.redis, 'a', fx.closers);
    const b = await startGameNode(fx.redis, 'b', fx.closers);
    await using raw = rawClient(fx.redis);
    const clients = clientService();
    const first = await connect(clients, a.port);
    const { resumeToken } = await first.login('lou');
    first.close(ErrorCode.CLOSED);
    await vi.waitFor(async () => expect(await raw.exists(a.backplane.keys.resume(resumeToken))).toBe(1));
    a.node.holder.send('lou', Notice, { seq: 1 });
    const local = await connect(clients, a.port);
    await expect(local.resume(resumeToken)).resolves.toMatchObject({ userId: 'lou' });
    expect((await local.received(Notice.type, 1))[0]!.payload).toEqual({ seq: 1 });
    expect(await raw.hget(a.backplane.keys.resume(resumeToken), 'claimed')).toBe('a');
    const remote = await connect(clients, b.port);
    await expect(remote.resume(resumeToken)).rejects.toMatchObject({ code: ErrorCode.UNAUTHENTICATED });
    expect(a.node.holder.get('lou')?.connected).toBe(true);
    expect(b.node.holder.get('lou')).toBeUndefined();
  });

  it('two resumes of one token racing on two nodes: exactly one wins', async () => {
    const a = await startGameNode(fx.redis, 'a', fx.closers);
    const b = await startGameNode(fx.redis, 'b', fx.closers);
    await using raw = rawClient(fx.redis);
    const clients = clientService();
    const first = await connect(clients, a.port);
    const { resumeToken } = await first.login('rae');
    first.close(ErrorCode.CLOSED);
    await vi.waitFor(async () => expect(await raw.exists(a.backplane.keys.resume(resumeToken))).toBe(1));
    const [onA, onB] = await Promise.all([connect(clients, a.port), connect(clients, b.port)]);
    const results = await Promise.allSettled([onA.resume(resumeToken), onB.resume(resumeToken)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: ErrorCode.UNAUTHENTICATED } });
    const winner = results[0].status === 'fulfilled' ? a : b;
    const loser = winner === a ? b : a;
    await until(() => loser.node.holder.get('rae') === undefined);
    expect(winner.node.holder.get('rae')?.connected).toBe(true);
    expect([...a.hooks, ...b.hooks].filter((h) => h.startsWith('leave'))).toEqual([]);
  });

  it('grace expiry on the parking node discards the record: the token then fails everywhere', async () => {
    const a = await startGameNode(fx.redis, 'a', fx.closers, { timeouts: { grace: 200 } });
    const b = await startGameNode(fx.redis, 'b', fx.closers);
    await using raw = rawClient(fx.redis);
    const clients = clientService();
    const first = await connect(clients, a.port);
    const { resumeToken } = await first.login('gus');
    first.close(ErrorCode.CLOSED);
    await until(() => a.hooks.some((h) => h.startsWith('leave gus') && h.endsWith('GRACE_EXPIRED')));
    expect(await raw.exists(a.backplane.keys.resume(resumeToken))).toBe(0);
    const late = await connect(clients, b.port);
    await expect(late.resume(resumeToken)).rejects.toMatchObject({ code: ErrorCode.UNAUTHENTICATED });
  });

  it('tokens of a killed node fail cleanly with a coded error (connected and parked players alike)', async () => {
    const a = await startGameNode(fx.redis, 'a', fx.closers, { backplane: { heartbeatMs: 50, ttlMs: 250 } });
    const b = await startGameNode(fx.redis, 'b', fx.closers, { backplane: { commandTimeoutMs: 60_000 } }); // a wait on Redis would time the test out
    await using raw = rawClient(fx.redis);
    const clients = clientService();
    const parked = await connect(clients, a.port);
    const connected = await connect(clients, a.port);
    const { resumeToken: parkedToken } = await parked.login('pia');
    const { resumeToken: liveToken } = await connected.login('lee');
    parked.close(ErrorCode.CLOSED);
    await vi.waitFor(async () => expect(await raw.exists(a.backplane.keys.resume(parkedToken))).toBe(1));

    await a.kill(); // no drain: a's registration and entries stay until their TTL
    await connected.closed;
    await vi.waitFor(async () => expect((await b.backplane.nodes()).map((n) => n.nodeId)).toEqual(['b']), { timeout: 3_000, interval: 25 });
    for (const token of [parkedToken, liveToken]) {
      const c = await connect(clients, b.port);
      await expect(c.resume(token)).rejects.toMatchObject({ code: ErrorCode.UNAUTHENTICATED, message: expect.stringMatching(/log in again/) });
      await expect(c.login(token === parkedToken ? 'pia' : 'lee')).resolves.toMatchObject({ userId: expect.any(String) });
    }
    expect(b.node.holder.stats.resumedFromOtherNodes).toBe(0);
  });
});
