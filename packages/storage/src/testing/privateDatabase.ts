import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

/** The server tests use: `DATABASE_URL`, else the local one (trust auth, user postgres). */
export const TEST_SERVER_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A private database on a real PostgreSQL server, dropped on dispose. */
export interface PrivateDatabase extends AsyncDisposable {
  /** Connection URL of the private database. */
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** Replaces the database path of a postgres URL. */
export function withDatabase(serverUrl: string, name: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Creates `hearth_test_<random>` on the server at `serverUrl` (default {@link TEST_SERVER_URL}) and
 * drops it (forcibly, closing leftover connections) on dispose.
 *
 * @example
 * await using db = await createPrivateDatabase();
 * await using storage = await openStorage(db.url);
 */
export async function createPrivateDatabase(serverUrl: string = TEST_SERVER_URL): Promise<PrivateDatabase> {
  const name = `hearth_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    // `name` is made here from hex digits only: safe as an identifier.
    await admin.unsafe(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  let dropped: Promise<void> | undefined;
  const drop = (): Promise<void> =>
    (dropped ??= (async () => {
      const a = postgres(serverUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
      try {
        await a.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await a.end();
      }
    })());
  return { url: withDatabase(serverUrl, name), name, drop, [Symbol.asyncDispose]: drop };
}
