import { resolve } from 'node:path';
import { badRequest } from './errors.ts';
import { migrate } from './sql/migrate.ts';
import { openPglite } from './sql/PgliteClient.ts';
import { openPostgres, type PostgresClientOptions } from './sql/PostgresClient.ts';
import type { SqlClient } from './sql/SqlClient.ts';
import { SqlStorage, type StorageOptions } from './SqlStorage.ts';

/** Where PGlite keeps its data when no database is named: `.hearth/pglite` under the working directory. */
export const DEFAULT_PGLITE_DIR = '.hearth/pglite';

/** Options of {@link openStorage}. */
export interface OpenStorageOptions extends StorageOptions, PostgresClientOptions {}

/**
 * Opens the storage named by `database` and brings its schema up to date:
 * - `postgres://user@host:port/db` (or `postgresql://`): a PostgreSQL server, through postgres.js;
 * - `pglite:DIR`: embedded PGlite with its data in `DIR`;
 * - `memory:`: embedded PGlite in memory (tests);
 * - omitted: embedded PGlite in {@link DEFAULT_PGLITE_DIR}.
 *
 * @throws {HearthError} `BAD_REQUEST` (unknown form), `STORAGE_UNAVAILABLE` (cannot connect, or the
 * schema is newer than this code).
 * @example
 * await using storage = await openStorage(process.env.DATABASE_URL); // PGlite under .hearth/ when unset
 * await storage.defineLeaderboard({ id: 'arena', operator: 'best', reset: 'weekly' });
 */
export async function openStorage(database?: string, opts: OpenStorageOptions = {}): Promise<SqlStorage> {
  const client = await openClient(database, opts);
  try {
    await migrate(client);
  } catch (err) {
    await client.close().catch(() => {});
    throw err;
  }
  return new SqlStorage(client, opts);
}

/** The engine for a database string, without migrating. */
export async function openClient(database: string | undefined, opts: PostgresClientOptions = {}): Promise<SqlClient> {
  if (database === undefined || database === '') return openPglite(resolve(DEFAULT_PGLITE_DIR));
  if (/^postgres(ql)?:\/\//.test(database)) return openPostgres(database, opts);
  if (database === 'memory:') return openPglite();
  if (database.startsWith('pglite:') && database.length > 7) return openPglite(resolve(database.slice(7)));
  throw badRequest(`unknown database "${redact(database)}": use postgres://…, pglite:DIR or memory:`);
}

/** The database string without a password, for messages. */
export function redact(database: string): string {
  return database.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
