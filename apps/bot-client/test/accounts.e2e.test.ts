import { openStorage } from '@hearth/storage';
import { createPrivateDatabase } from '@hearth/storage/testing';
import { describe, expect, it } from 'vitest';
import { startArena } from '../../server/test/fixtures/arenaProcess.ts';
import { botDevice } from '../src/botDevice.ts';
import { HANG_GUARD_MS, UNTIL_LIMIT_S, runBots } from './support/runBots.ts';

describe('bots against a server with accounts', () => {
  it('log in with device logins: one guest account per bot, the same on the next run', { timeout: 2 * HANG_GUARD_MS + 60_000 }, async () => {
    await using db = await createPrivateDatabase();
    await using server = startArena(['--auth', 'accounts', '--database', db.url, '--protocol', 'msgpack']);
    const { tcp } = await server.listening;
    for (let run = 0; run < 2; run++) {
      const bots = await runBots(['--url', tcp, '--bots', '3', '--until', 'moves=2', '--duration', UNTIL_LIMIT_S, '--protocol', 'msgpack']);
      expect(bots.summary.failures, bots.stdout).toEqual([]);
      expect(bots.summary.bots).toMatchObject({ total: 3, loggedIn: 3, failed: 0 });
      expect(bots.code).toBe(0);
      expect(bots.summary.until?.met).toBe(true);
    }
    await server.stop();
    // One account per bot device, made at the first run and reused by the second.
    await using storage = await openStorage(db.url);
    const owners = await Promise.all([1, 2, 3].map((i) => storage.findDevice(botDevice(`bot-${i}`).device)));
    expect(owners.every((d) => d !== undefined)).toBe(true);
    expect(new Set(owners.map((d) => d!.userId)).size).toBe(3);
    expect(await storage.findDevice(botDevice('bot-4').device)).toBeUndefined();
  });
});
