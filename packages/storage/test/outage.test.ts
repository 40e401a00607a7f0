import { describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { openStorage } from '../src/index.ts';
import { createPrivateDatabase, startTcpProxy, TEST_SERVER_URL, withDatabase } from '../src/testing/index.ts';
import { openTestStorage } from './engines.ts';

describe('database down', () => {
  it('postgres behind a proxy that cuts every connection: STORAGE_UNAVAILABLE, then back to work', async () => {
    await using db = await createPrivateDatabase();
    const server = new URL(TEST_SERVER_URL);
    await using proxy = await startTcpProxy(server.hostname, Number(server.port || 5432));
    const url = withDatabase(`postgres://${server.username || 'postgres'}@127.0.0.1:${proxy.port}/`, db.name);
    await using storage = await openStorage(url, { connectTimeoutSeconds: 2 });
    const u = await storage.createUser({ displayName: 'durable' });
    expect(await storage.writeObject(u, 'c', 'k', { v: 1 })).toBe(1);

    await proxy.down();
    await expect(storage.readObject(u, 'c', 'k')).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    await expect(storage.writeObject(u, 'c', 'k', { v: 2 }, 1)).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    await expect(storage.getProfile(u)).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });

    await proxy.up();
    // The failed write changed nothing; the acknowledged one is there.
    expect(await storage.readObject(u, 'c', 'k')).toMatchObject({ value: { v: 1 }, version: 1 });
    expect(await storage.writeObject(u, 'c', 'k', { v: 2 }, 1)).toBe(2);
  });

  it('postgres at a closed port: opening fails with STORAGE_UNAVAILABLE and a readable message', async () => {
    const proxy = await startTcpProxy('127.0.0.1', 1);
    const port = proxy.port;
    await proxy.close(); // nothing listens there now
    const err = await openStorage(`postgres://postgres:secret@127.0.0.1:${port}/x`, { connectTimeoutSeconds: 2 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORAGE_UNAVAILABLE', message: expect.stringMatching(/retry later/) });
    expect((err as Error).message).not.toContain('secret');
  });

  it('postgres whose backends are terminated (pg_terminate_backend): coded failure at worst, then reconnects', async () => {
    await using db = await createPrivateDatabase();
    await using storage = await openStorage(db.url, { maxConnections: 2 });
    const u = await storage.createUser({ displayName: 'term' });
    const admin = postgres(TEST_SERVER_URL, { max: 1, onnotice: () => {} });
    try {
      const killed = await admin`SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${db.name}) t`;
      expect(killed[0]!['n']).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    const codes: string[] = [];
    for (let i = 0; i < 4; i++) {
      codes.push(await storage.getProfile(u).then(() => 'ok', (e: unknown) => (e as { code: string }).code));
    }
    expect(codes.every((c) => c === 'ok' || c === 'STORAGE_UNAVAILABLE')).toBe(true);
    expect(codes.at(-1)).toBe('ok');
  });

  it('pglite closed under the storage: STORAGE_UNAVAILABLE', async () => {
    const t = await openTestStorage('pglite');
    const u = await t.storage.createUser({ displayName: 'x' });
    await t.storage.close();
    await expect(t.storage.getProfile(u)).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    await expect(t.storage.writeObject(u, 'c', 'k', 1)).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
  });
});
