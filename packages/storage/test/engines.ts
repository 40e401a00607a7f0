import { migrate, openStorage, SqlStorage, type OpenStorageOptions } from '../src/index.ts';
import { createPrivateDatabase, openTestPglite } from '../src/testing/index.ts';

export const ENGINES = ['pglite', 'postgres'] as const;
export type EngineKind = (typeof ENGINES)[number];

/** A fresh storage on `kind`: PGlite in memory, or a private database on the real server. */
export interface TestStorage extends AsyncDisposable {
  readonly storage: SqlStorage;
  /** The database string it was opened with. */
  readonly url: string;
}

export async function openTestStorage(kind: EngineKind, opts: OpenStorageOptions = {}): Promise<TestStorage> {
  if (kind === 'pglite') {
    const client = await openTestPglite();
    await migrate(client);
    const storage = new SqlStorage(client, opts);
    return { storage, url: 'memory:', [Symbol.asyncDispose]: () => storage.close() };
  }
  const db = await createPrivateDatabase();
  try {
    const storage = await openStorage(db.url, opts);
    return {
      storage,
      url: db.url,
      [Symbol.asyncDispose]: async () => {
        await storage.close();
        await db.drop();
      },
    };
  } catch (err) {
    await db.drop();
    throw err;
  }
}

/** A settable clock. */
export function testClock(start = Date.UTC(2026, 10, 30, 12)): { now: () => number; set(ms: number): void; advance(ms: number): void } {
  let t = start;
  return { now: () => t, set: (ms) => void (t = ms), advance: (ms) => void (t += ms) };
}
