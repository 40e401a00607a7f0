import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// The server's test fixtures: a server process on ports 0 (reads its `listening` line), a private Redis.
import { startArena } from '../../server/test/fixtures/arenaProcess.ts';
import { startRedis } from '@hearth/actor/testing';
import { expectAllPlayed, PLAY_UNTIL } from './support/expectPlayed.ts';
import { HANG_GUARD_MS, runBots } from './support/runBots.ts';

/** The value of `hearth_cluster_events_total{event="NAME"}` in a Prometheus text. */
function clusterCounter(metrics: string, name: string): number {
  return Number(new RegExp(`^hearth_cluster_events_total\\{event="${name}"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? NaN);
}

const dir = mkdtempSync(join(tmpdir(), 'hearth-e2e-cluster-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Arena cluster end to end: two server processes over Redis + one bot-client process', () => {
  it('40 bots spread over two nodes (TCP on one, WS on the other) play together until each made 20 moves, saw 20 and heard a chat', { timeout: HANG_GUARD_MS + 60_000 }, async () => {
    await using redis = await startRedis();
    const keyFile = join(dir, 'server.key');
    const common = ['--redis', redis.url, '--redis-prefix', redis.prefix, '--key-file', keyFile];
    // One after the other: the first creates the shared signing key, the second reads it.
    await using a = startArena(common);
    const la = await a.listening;
    await using b = startArena(common);
    const lb = await b.listening;
    expect(lb.publicKey).toBe(la.publicKey);
    expect(la.node).not.toBe(lb.node);

    // Ends by work done (--until), however slow the machine; --duration is only the limit.
    const bots = await runBots(['--url', la.tcp, '--url', lb.ws, '--bots', '40', '--ramp', '1', ...PLAY_UNTIL, '--server-key-file', `${keyFile}.pub`]);
    expectAllPlayed(bots, 40);
    expect(bots.summary.urls).toEqual([la.tcp, lb.ws]);
    // Rooms are matched cluster-wide (one atomic joinOrCreate in Redis, 16 a room): 40 bots in 3 rooms.
    // Two separate worlds of 20 would need 4: 3 proves rooms with members on both nodes.
    expect(bots.summary.rooms).toBe(3);

    // Both nodes exchanged messages over Redis (whispers' directory, the shared leaderboard, rooms).
    const [ma, mb] = await Promise.all([fetch(`${la.admin}/metrics`).then((r) => r.text()), fetch(`${lb.admin}/metrics`).then((r) => r.text())]);
    expect(clusterCounter(ma, 'backplane_messagesIn')).toBeGreaterThan(0);
    expect(clusterCounter(mb, 'backplane_messagesIn')).toBeGreaterThan(0);

    const [ea, eb] = await Promise.all([a.stop(), b.stop()]);
    expect(ea.code).toBe(0);
    expect(eb.code).toBe(0);
  });
});
