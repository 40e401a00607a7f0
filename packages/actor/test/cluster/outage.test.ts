import { ErrorCode } from '@hearth/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackplaneErrorCode } from '../../src/index.ts';
import { canStopRedis, startRedis } from '../../src/testing/index.ts';
import { cleanup, clientService, connect, Join, memoryLogger, Notice, Poke, Shout, Tell } from '../helpers.ts';
import { startGameNode } from './gameNode.ts';
import { once, rawClient } from './helpers.ts';

/** Redis stopped under two running game nodes, then started again; no node restarts. */
describe.skipIf(!canStopRedis)('game nodes through a Redis outage (private Redis stopped and restarted)', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await cleanup();
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('keeps local play, fails cross-node calls fast with BACKPLANE_UNAVAILABLE, and delivers across nodes again once Redis is back', async () => {
    await using redis = await startRedis();
    const logA = memoryLogger();
    const a = await startGameNode(redis, 'a', closers, { backplane: { heartbeatMs: 100, commandTimeoutMs: 60_000 }, logger: logA.logger });
    const b = await startGameNode(redis, 'b', closers, { backplane: { heartbeatMs: 100, commandTimeoutMs: 60_000 } });
    const clients = clientService();
    const [alice, carol, bob, dave] = await Promise.all([connect(clients, a.port), connect(clients, a.port), connect(clients, b.port), connect(clients, b.port)]);
    await alice.login('alice');
    await carol.login('carol');
    await bob.login('bob');
    const { resumeToken: daveToken } = await dave.login('dave');
    for (const c of [alice, carol, bob]) await c.request(Join, { room: 'r1' });
    await expect(alice.request(Tell, { to: 'bob', seq: 0 })).resolves.toBe(true);
    expect((await bob.received(Notice.type, 1))[0]!.payload).toEqual({ seq: 0 });
    // dave drops before the outage: parked on b (in Redis)
    await using raw = rawClient(redis);
    dave.close(ErrorCode.CLOSED);
    await vi.waitFor(async () => expect(await raw.exists(b.backplane.keys.resume(daveToken))).toBe(1));
    await raw.quit();

    const downs = Promise.all([once(a.backplane, 'down'), once(b.backplane, 'down')]);
    await redis.stop();
    await downs;

    // local play goes on: a send to a user on the same node, a room broadcast (local members reached, no INTERNAL)
    await expect(alice.request(Tell, { to: 'carol', seq: 1 })).resolves.toBe(true);
    await expect(alice.request(Shout, { room: 'r1', seq: 2 })).resolves.toBe(2);
    expect((await carol.received(Notice.type, 2)).map((m) => m.payload)).toEqual([{ seq: 1 }, { seq: 2 }]);
    expect((await alice.received(Notice.type, 1))[0]!.payload).toEqual({ seq: 2 });
    // cross-node: deliver fails fast with the coded error; sendTo stays best effort (false, logged, counted)
    // (fail fast: with a 60 s command timeout, a call that waited on Redis would time the test out)
    await expect(alice.request(Tell, { to: 'bob', seq: 3 })).rejects.toMatchObject({ code: BackplaneErrorCode.BACKPLANE_UNAVAILABLE });
    await expect(alice.request(Poke, { to: 'bob', seq: 4 })).resolves.toBe(false);
    expect(a.node.holder.stats.remoteDropped).toBeGreaterThanOrEqual(2);
    expect(logA.lines.some((l) => l['level'] === 40 && String(l['msg']).startsWith('cross-node'))).toBe(true);
    // a resume of a token parked on the other node cannot be claimed now: coded error, not a hang
    const daveOnA = await connect(clients, a.port);
    await expect(daveOnA.resume(daveToken)).rejects.toMatchObject({ code: BackplaneErrorCode.BACKPLANE_UNAVAILABLE });
    // ...but on its own node it resumes (local play)
    const daveOnB = await connect(clients, b.port);
    await expect(daveOnB.resume(daveToken)).resolves.toMatchObject({ userId: 'dave' });
    // a login during the outage works locally
    const erin = await connect(clients, b.port);
    await expect(erin.login('erin')).resolves.toMatchObject({ userId: 'erin' });
    await erin.request(Join, { room: 'r1' });

    const ups = Promise.all([once(a.backplane, 'up'), once(b.backplane, 'up')]);
    await redis.restart(); // empty: the nodes re-register themselves and their users, resubscribe their rooms
    await ups;

    await expect(alice.request(Tell, { to: 'bob', seq: 5 })).resolves.toBe(true);
    await expect(alice.request(Tell, { to: 'erin', seq: 6 })).resolves.toBe(true); // logged in during the outage
    await expect(alice.request(Shout, { room: 'r1', seq: 7 })).resolves.toBe(2);
    expect((await bob.received(Notice.type, 3)).map((m) => m.payload)).toEqual([{ seq: 0 }, { seq: 5 }, { seq: 7 }]);
    expect((await erin.received(Notice.type, 2)).map((m) => m.payload)).toEqual([{ seq: 6 }, { seq: 7 }]);
    expect(a.node.holder.stats.resumedFromOtherNodes + b.node.holder.stats.resumedFromOtherNodes).toBe(0);
  });
});
