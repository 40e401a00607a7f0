import { ErrorCode, HearthError } from '@hearth/protocol';
import { toStorageError } from '../errors.ts';
import type { SqlClient } from './SqlClient.ts';
import { MIGRATIONS, type Migration } from './schema.ts';

/** An arbitrary constant: the advisory lock that serializes migrations across nodes starting at once. */
const MIGRATION_LOCK = 0x4865_6172; // "Hear"

/** What {@link migrate} did. */
export interface MigrationResult {
  /** Schema version before. 0 for an empty database. */
  readonly from: number;
  /** Schema version after. */
  readonly to: number;
}

/**
 * Brings the database to the newest schema, in one transaction under an advisory lock (nodes
 * starting together migrate once). Refuses to run backwards: a database at a newer version than
 * this code knows, or whose recorded migrations differ from this code's, is refused with
 * `STORAGE_UNAVAILABLE` and a message saying what to do; nothing is changed then.
 *
 * @throws {HearthError} `STORAGE_UNAVAILABLE` (database down, newer or foreign schema).
 */
export async function migrate(client: SqlClient, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationResult> {
  const known = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
  try {
    return await client.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await tx.query(
        'CREATE TABLE IF NOT EXISTS hearth_schema (version integer PRIMARY KEY, name text NOT NULL, applied_ms bigint NOT NULL)',
      );
      const rows = await tx.query<{ version: number; name: string }>('SELECT version, name FROM hearth_schema ORDER BY version');
      const from = rows.length === 0 ? 0 : rows[rows.length - 1]!.version;
      if (from > known) {
        throw new HearthError(
          ErrorCode.STORAGE_UNAVAILABLE,
          `database schema is at version ${from}, newer than this code knows (${known}); ` +
            'refusing to run backwards: upgrade Hearth, or point --database at another database',
        );
      }
      for (const row of rows) {
        const mine = migrations.find((m) => m.version === row.version);
        if (mine?.name !== row.name) {
          throw new HearthError(
            ErrorCode.STORAGE_UNAVAILABLE,
            `database schema version ${row.version} is "${row.name}", which this code does not know; ` +
              'it was made by other code: point --database at another database',
          );
        }
      }
      for (const m of migrations) {
        if (m.version <= from) continue;
        await tx.exec(m.sql);
        await tx.query('INSERT INTO hearth_schema (version, name, applied_ms) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
      }
      return { from, to: Math.max(from, known) };
    });
  } catch (err) {
    throw toStorageError(err, 'migrating the schema');
  }
}
