import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startArena } from '../../server/test/fixtures/arenaProcess.ts';
import { HANG_GUARD_MS, UNTIL_LIMIT_S, runBots } from './support/runBots.ts';

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
    const bots = await runBots([
      '--url', addr.tcp, '--url', addr.ws,
      '--bots', '50', '--ramp', '1', '--until', 'moves=20,others=20,chats=1,leaderboards=1,tags=1', '--duration', UNTIL_LIMIT_S,
      '--scenario', 'play', '--server-key-file', `${keyFile}.pub`,
    ]);
    const summary = bots.summary;
    expect(summary.failures, bots.stdout).toEqual([]);
    expect(bots.code).toBe(0);
    expect(summary.ok).toBe(true);
    expect(summary.until).toEqual({ goal: 'moves=20,others=20,chats=1,leaderboards=1,tags=1', met: true });
    expect(summary.protocol).toBe('msgpack+nacl');
    expect(summary.serverKeyPinned).toBe(true);
    expect(summary.urls).toEqual([addr.tcp, addr.ws]);
    // every bot logged in and joined a room; rooms hold at most 16
    expect(summary.bots).toMatchObject({ total: 50, connected: 50, loggedIn: 50, joined: 50, dropped: 0, failed: 0 });
    expect(summary.rooms).toBe(4);
    // zero unexpected errors
    expect(summary.unexpectedCount).toBe(0);
    expect(summary.bots.withUnexpectedErrors).toBe(0);
    // each bot saw others in its room move; chat reached room members; the leaderboard answered
    expect(summary.bots.sawOthersMove).toBe(50);
    expect(summary.bots.receivedChat).toBe(50);
    expect(summary.game.chatsReceived).toBeGreaterThan(summary.game.chatsSent);
    expect(summary.bots.gotLeaderboard).toBe(50);
    expect(summary.game.tagsScored).toBeGreaterThan(0);
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
