import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// The server's test fixtures: a server process on ports 0 (reads its `listening` line), a private Redis.
import { startArena } from '../../server/test/fixtures/arenaProcess.ts';
import { startRedis } from '@hearth/actor/testing';
import { HANG_GUARD_MS, UNTIL_LIMIT_S, runBots, startBots } from './support/runBots.ts';

/** `hearth_sessions_active` of a node's admin endpoint. */
async function activeSessions(admin: string): Promise<number> {
  const metrics = await (await fetch(`${admin}/metrics`)).text();
  return Number(/^hearth_sessions_active (\d+)$/m.exec(metrics)?.[1] ?? 0);
}

const dir = mkdtempSync(join(tmpdir(), 'hearth-e2e-resilience-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bots on @hearth/client: failures end the run at once, with a fix in the message', () => {
  it('a protocol mismatch fails every bot at once and says which --protocol to pass', { timeout: HANG_GUARD_MS + 60_000 }, async () => {
    await using server = startArena(['--protocol', 'msgpack']);
    const l = await server.listening;
    // --duration 0 (no end by time): the run ends by itself only because every bot failed.
    const bots = await runBots(['--url', l.tcp, '--url', l.ws, '--bots', '4', '--duration', '0']);
    expect(bots.code).toBe(1);
    expect(bots.summary.ok).toBe(false);
    expect(bots.summary.bots.failed).toBe(4);
    expect(bots.summary.failures[0]).toMatchObject({ code: 'HANDSHAKE_FAILED' });
    expect(bots.summary.failures[0]!.text).toMatch(/run the bots with --protocol msgpack$/);
    expect(bots.stdout).toContain('--protocol msgpack');
  });

  it('the other way round names msgpack+nacl', { timeout: HANG_GUARD_MS + 60_000 }, async () => {
    await using server = startArena([]);
    const l = await server.listening;
    const bots = await runBots(['--url', l.tcp, '--bots', '2', '--duration', '0', '--protocol', 'msgpack']);
    expect(bots.code).toBe(1);
    expect(bots.summary.bots.failed).toBe(2);
    expect(bots.summary.failures[0]!.text).toMatch(/--protocol msgpack\+nacl/);
  });

  it('a node killed in a cluster: its bots resume or log in again on the other node, every bot plays on, and the run ends OK', { timeout: HANG_GUARD_MS + 60_000 }, async () => {
    await using redis = await startRedis();
    const keyFile = join(dir, 'server.key');
    // A short heartbeat only makes the test quicker (the dead node's lease lapses ~1 s after the kill,
    // not 15 s): nothing waits on it, the run ends when the bots have played on after the failover.
    const common = ['--redis', redis.url, '--redis-prefix', redis.prefix, '--key-file', keyFile, '--cluster-heartbeat-ms', '300'];
    await using a = startArena(common);
    const la = await a.listening;
    await using b = startArena(common);
    const lb = await b.listening;
    // The run ends once 10 comebacks were made (A's bots) and then every bot had 20 moves applied
    // (in a live room, restored or new) since the last of them. Not `others`: after the failover a bot
    // may be alone in its room.
    const bots = startBots([
      '--url', la.tcp, '--url', lb.ws,
      '--bots', '20', '--ramp', '1', '--until', 'recovered=10,moves=20', '--duration', UNTIL_LIMIT_S,
      '--scenario', 'play', '--server-key-file', `${keyFile}.pub`,
    ]);
    // Once every bot plays (half of them on node A, round-robin), kill A without warning.
    await bots.line(/^hearth-bots: all 20 bots playing/);
    expect(await activeSessions(la.admin)).toBe(10);
    a.child.kill('SIGKILL');
    expect((await a.exited).signal).toBe('SIGKILL');
    const run = await bots.done;
    expect(run.summary.failures, run.stdout).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.summary.ok).toBe(true);
    expect(run.summary.until?.met).toBe(true);
    expect(run.summary.bots).toMatchObject({ total: 20, loggedIn: 20, dropped: 0, failed: 0 });
    // A's ten bots came back on B: resumed (parked in Redis) or logged in again (A died unparked).
    expect(run.summary.bots.resumed + run.summary.bots.relogins).toBeGreaterThanOrEqual(10);
    expect(await activeSessions(lb.admin)).toBe(0); // the run is over: every bot closed
    await b.stop();
  });
});
