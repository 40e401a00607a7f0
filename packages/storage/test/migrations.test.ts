import { describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS, openClient, openStorage, SCHEMA_VERSION } from '../src/index.ts';
import { openPglite } from '../src/index.ts';
import { createPrivateDatabase, pgliteTemplate } from '../src/testing/index.ts';
import { ENGINES, type EngineKind } from './engines.ts';

/**
 * A fresh database of `kind`, and how to reopen it. PGlite's is a data directory on disk made from
 * the migrated template (initdb is slow; the template itself was migrated from 0 by `migrate`).
 */
async function fresh(kind: EngineKind, dir: string): Promise<{ url: string; from: number; drop: () => Promise<void> }> {
  if (kind === 'pglite') {
    await (await openPglite(dir, { loadDataDir: await pgliteTemplate() })).close();
    return { url: `pglite:${dir}`, from: SCHEMA_VERSION, drop: async () => {} };
  }
  const db = await createPrivateDatabase();
  return { url: db.url, from: 0, drop: () => db.drop() };
}

describe.each(ENGINES)('migrations on %s', (kind) => {
  it('migrate once, then nothing; a newer schema or a foreign one is refused and left untouched', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(tmpdir(), 'hearth-pglite-'));
    const db = await fresh(kind, dir);
    try {
      const c = await openClient(db.url);
      expect(await migrate(c)).toEqual({ from: db.from, to: SCHEMA_VERSION });
      expect(await migrate(c)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
      const tables = await c.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name LIKE 'hearth\\_%'",
      );
      expect(tables[0]!.n).toBe(7);

      // A later Hearth migrated this database further: this code must not touch it.
      await c.query('INSERT INTO hearth_schema (version, name, applied_ms) VALUES ($1, $2, 0)', [SCHEMA_VERSION + 1, 'from the future']);
      await c.close();
      await expect(openStorage(db.url)).rejects.toMatchObject({
        code: 'STORAGE_UNAVAILABLE',
        message: expect.stringMatching(/newer than this code knows.*refusing to run backwards/),
      });
      const c2 = await openClient(db.url);
      const rows = await c2.query<{ version: number }>('SELECT version FROM hearth_schema ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual([...MIGRATIONS.map((m) => m.version), SCHEMA_VERSION + 1]);

      // Recorded migrations that differ from this code's are refused too.
      await c2.query('DELETE FROM hearth_schema WHERE version > $1', [SCHEMA_VERSION]);
      await c2.query("UPDATE hearth_schema SET name = 'something else' WHERE version = 1");
      await expect(migrate(c2)).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE', message: expect.stringMatching(/does not know/) });
      await c2.close();
    } finally {
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('applies only the migrations past the recorded version, in order, in one transaction', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(tmpdir(), 'hearth-pglite-'));
    const db = await fresh(kind, dir);
    try {
      const c = await openClient(db.url);
      await migrate(c);
      const next = [
        ...MIGRATIONS,
        { version: SCHEMA_VERSION + 1, name: 'extra column', sql: 'ALTER TABLE hearth_users ADD COLUMN extra text' },
        { version: SCHEMA_VERSION + 2, name: 'broken', sql: 'ALTER TABLE no_such_table ADD COLUMN x int' },
      ];
      // The broken one fails: the whole step rolls back, extra column included.
      await expect(migrate(c, next)).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
      const cols = await c.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'hearth_users' AND column_name = 'extra'");
      expect(cols).toHaveLength(0);
      expect(await migrate(c, next.slice(0, -1))).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION + 1 });
      await c.close();
    } finally {
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('migrations on postgres, nodes starting together', () => {
  it('four openers at once migrate exactly once', async () => {
    await using db = await createPrivateDatabase();
    const clients = await Promise.all(Array.from({ length: 4 }, () => openClient(db.url)));
    const results = await Promise.all(clients.map((c) => migrate(c)));
    expect(results.filter((r) => r.from === 0)).toHaveLength(1);
    await Promise.all(clients.map((c) => c.close()));
  });
});
