import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '@hearth/storage';
import { createPrivateDatabase } from '@hearth/storage/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { startArena } from '../../server/test/fixtures/arenaProcess.ts';
import { botDevice } from '../src/botDevice.ts';
import type { SwarmSummary } from '../src/report/summarize.ts';

const BOTS_MAIN = join(import.meta.dirname, '../src/main.ts');
const FROM_SOURCE = ['--import', 'tsx', '--conditions=@hearth/source'];
const dir = mkdtempSync(join(tmpdir(), 'hearth-e2e-accounts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runBots(args: string[]): Promise<{ code: number | null; summary: SwarmSummary }> {
  const jsonFile = join(dir, `summary-${Math.random().toString(36).slice(2)}.json`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...FROM_SOURCE, BOTS_MAIN, ...args, '--json', jsonFile, '--progress', 'off'], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => resolve({ code, summary: JSON.parse(readFileSync(jsonFile, 'utf8')) as SwarmSummary }));
  });
}

describe('bots against a server with accounts', () => {
  it('log in with device logins: one guest account per bot, the same on the next run', { timeout: 90_000 }, async () => {
    await using db = await createPrivateDatabase();
    await using server = startArena(['--auth', 'accounts', '--database', db.url, '--protocol', 'msgpack']);
    const { tcp } = await server.listening;
    for (let run = 0; run < 2; run++) {
      const bots = await runBots(['--url', tcp, '--bots', '3', '--duration', '2', '--ramp', '0', '--protocol', 'msgpack']);
      expect(bots.summary.failures).toEqual([]);
      expect(bots.summary.bots).toMatchObject({ total: 3, loggedIn: 3, failed: 0 });
      expect(bots.code).toBe(0);
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
