import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startArena } from '../../server/test/fixtures/arenaProcess.ts';
import { expectAllPlayed, PLAY_UNTIL } from './support/expectPlayed.ts';
import { HANG_GUARD_MS, runBots } from './support/runBots.ts';

const dir = mkdtempSync(join(tmpdir(), 'hearth-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Arena end to end: server process + bot-client process', () => {
  it('50 bots over TCP and WS with the secure protocol play until each made 20 moves, saw 20, heard a chat and got a leaderboard', { timeout: HANG_GUARD_MS + 60_000 }, async () => {
    const keyFile = join(dir, 'server.key');
    await using server = startArena(['--key-file', keyFile]);
    const addr = await server.listening;
    expect(addr.tcp).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(addr.ws).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(readFileSync(`${keyFile}.pub`, 'utf8').trim()).toBe(addr.publicKey);

    // Ends by work done (--until), however slow the machine; --duration is only the limit.
    const bots = await runBots(['--url', addr.tcp, '--url', addr.ws, '--bots', '50', '--ramp', '1', ...PLAY_UNTIL, '--server-key-file', `${keyFile}.pub`]);
    expectAllPlayed(bots, 50);
    const summary = bots.summary;
    expect(summary.protocol).toBe('msgpack+nacl');
    expect(summary.serverKeyPinned).toBe(true);
    expect(summary.urls).toEqual([addr.tcp, addr.ws]);
    expect(summary.rooms).toBe(4); // rooms hold at most 16
    expect(summary.rtt.count).toBeGreaterThan(0);
    expect(bots.stdout).toContain('result');
    expect(bots.stderr).toMatch(/^hearth-bots: all 50 bots playing after [\d.]+ s$/m);

    // The admin endpoint saw them too.
    const metrics = await (await fetch(`${addr.admin}/metrics`)).text();
    const accepted = Number(/^hearth_sessions_accepted_total (\d+)$/m.exec(metrics)?.[1]);
    expect(accepted).toBeGreaterThanOrEqual(50);
    expect(metrics).toMatch(/hearth_request_duration_seconds_count\{type="arena.leaderboard"\} [1-9]/);

    // Graceful shutdown exits 0.
    expect((await server.stop()).code).toBe(0);
  });
});
