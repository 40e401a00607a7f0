import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Login } from '@hearth/protocol';
import { openPglite } from '@hearth/storage';
import { createPrivateDatabase, pgliteTemplate } from '@hearth/storage/testing';
import { describe, expect, it } from 'vitest';
import { Leaderboard, Tag } from '../src/arena/messages.ts';
import { startArena } from './fixtures/arenaProcess.ts';
import { TestClients } from './fixtures/testClients.ts';

const SECRET_A = 'YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh';
const SECRET_B = 'YmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJi';
const codeOf = (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (e: unknown) => (e as { code?: string }).code ?? 'none');

/**
 * Arena with accounts and storage, as a real server process: device logins, a tag that scores,
 * the leaderboard read back after a restart of the server on the same database.
 */
async function playAndRestart(database: string): Promise<void> {
  const args = ['--auth', 'accounts', '--database', database, '--protocol', 'msgpack', '--spawn', '500,500', '--admin-port=-1'];
  let userA: string;
  {
    await using server = startArena(args);
    const { tcp } = await server.listening;
    await using clients = new TestClients();
    const a = await clients.connect(tcp);
    const b = await clients.connect(tcp);
    const replyA = (await a.client.request(Login, { device: 'phone-aaaa', secret: SECRET_A })) as unknown as { userId: string; created: boolean };
    expect(replyA).toMatchObject({ created: true, displayName: 'Guest-aaaa' });
    userA = replyA.userId;
    await b.client.request(Login, { device: 'phone-bbbb', secret: SECRET_B });
    // A wrong secret, an unknown form and a dev-style login are refused with codes.
    const c = await clients.connect(tcp);
    expect(await codeOf(c.client.request(Login, { device: 'phone-aaaa', secret: SECRET_B }))).toBe('UNAUTHENTICATED');
    expect(await codeOf(c.client.request(Login, { name: 'ann' }))).toBe('BAD_REQUEST');
    expect(await c.client.request(Login, { register: true, username: 'carol', password: 'carol password' })).toMatchObject({ displayName: 'carol' });
    await a.join();
    const { you: pb } = await b.join();
    expect(await a.ask(Tag, { target: pb })).toEqual({ score: 1 });
    // A read writes pending scores first, then reads the board in one query.
    expect(await b.client.request(Leaderboard, { top: 5 })).toEqual({ entries: [{ name: 'Guest-aaaa', score: 1 }] });
    expect(await server.stop()).toEqual({ code: 0, signal: null });
  }
  {
    await using server = startArena(args);
    const { tcp } = await server.listening;
    await using clients = new TestClients();
    const a = await clients.connect(tcp);
    expect(await a.client.request(Login, { device: 'phone-aaaa', secret: SECRET_A })).toMatchObject({ userId: userA, created: false });
    expect(await a.client.request(Leaderboard, { top: 5 })).toEqual({ entries: [{ name: 'Guest-aaaa', score: 1 }] });
    const c = await clients.connect(tcp);
    expect(await c.client.request(Login, { username: 'carol', password: 'carol password' })).toMatchObject({ displayName: 'carol', created: false });
  }
}

describe('server with accounts and storage', () => {
  it('on PostgreSQL: accounts and the leaderboard survive a restart', async () => {
    await using db = await createPrivateDatabase();
    await playAndRestart(db.url);
  }, 60_000);

  it('on PGlite (the embedded default engine): the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-server-pglite-'));
    try {
      // Start from the migrated template: initdb in the server would take 13-16 s on a loaded machine.
      await (await openPglite(dir, { loadDataDir: await pgliteTemplate() })).close();
      await playAndRestart(`pglite:${dir}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('a second server on the same PGlite folder (a second pnpm dev) exits 1 with one line saying what to do; the folder is free again after a stop or a crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-server-pglite-'));
    const args = ['--auth', 'accounts', '--database', `pglite:${dir}`, '--protocol', 'msgpack', '--admin-port=-1'];
    try {
      await (await openPglite(dir, { loadDataDir: await pgliteTemplate() })).close();
      let deadPid: number;
      {
        await using first = startArena(args);
        await first.listening;
        await using second = startArena(args);
        expect((await second.exited).code).toBe(1);
        const lines = second.stderr().split('\n').filter(Boolean);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(new RegExp(`^hearth-server: the PGlite folder .+ is in use by another hearth-server \\(pid ${first.child.pid}\\): stop that one, or give this one a folder of its own: --database pglite:.+-2$`));
        deadPid = second.child.pid!;
      }
      // Stopped: free. A lock left by a process that died (SIGKILL, crash) is taken over.
      writeFileSync(`${dir}.lock`, `${deadPid}\n`);
      await using third = startArena(args);
      await third.listening;
      expect(readFileSync(`${dir}.lock`, 'utf8')).toBe(`${third.child.pid}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(`${dir}.lock`, { force: true });
    }
  }, 90_000);

  it('refuses a cluster on PGlite, and token logins without their flags, in one line', async () => {
    const { parseServerConfig } = await import('../src/config/ServerConfig.ts');
    expect(() => parseServerConfig(['--auth', 'accounts', '--redis', 'redis://127.0.0.1:1'], {})).toThrow(/^--database: a cluster .* needs one shared PostgreSQL/);
    expect(() => parseServerConfig(['--auth', 'jwt'], {})).toThrow(/^--jwt-issuer: token logins need --jwt-issuer and exactly one of/);
    expect(() => parseServerConfig(['--auth', 'dev', '--database', 'mysql://x'], {})).toThrow(/^--database: expected postgres:/);
    expect(parseServerConfig(['--auth', 'dev'], {})).toMatchObject({ storage: false, database: undefined });
    expect(parseServerConfig(['--auth', 'accounts'], {})).toMatchObject({ storage: true, database: undefined });
    expect(parseServerConfig(['--auth', 'dev', '--database', 'pglite:/tmp/x'], {})).toMatchObject({ storage: true });
  });
});
