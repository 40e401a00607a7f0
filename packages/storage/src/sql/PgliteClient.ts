import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { SqlClient, SqlParam, SqlQuery } from './SqlClient.ts';

/** A PGlite {@link SqlClient} that can also dump its data directory (a template for `loadDataDir`). */
export interface PgliteClient extends SqlClient {
  dump(): Promise<Blob>;
}

/** Options of {@link openPglite}. */
export interface PgliteOptions {
  /**
   * Start from this data directory dump (`PgliteClient.dump`) instead of running initdb, which takes
   * seconds (13-16 s on a loaded 2-core machine, against ~3 s for a load): tests use a template.
   */
  loadDataDir?: Blob;
}

/**
 * Embedded PostgreSQL (PGlite, PostgreSQL compiled to WASM) in this process: `dataDir` on disk, or
 * in memory when omitted. One connection; statements run one at a time.
 */
export async function openPglite(dataDir?: string, opts: PgliteOptions = {}): Promise<PgliteClient> {
  if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create({ ...(dataDir !== undefined && { dataDir }), ...(opts.loadDataDir && { loadDataDir: opts.loadDataDir }) });
  const query = (async (text: string, params: readonly SqlParam[] = []) =>
    (await db.query(text, params as SqlParam[])).rows) as SqlQuery['query'];
  let closed: Promise<void> | undefined;
  return {
    engine: 'pglite',
    query,
    exec: async (text) => {
      await db.exec(text);
    },
    transaction: <T>(fn: (tx: SqlQuery) => Promise<T>) =>
      db.transaction((tx) =>
        fn({
          query: (async (text: string, params: readonly SqlParam[] = []) =>
            (await tx.query(text, params as SqlParam[])).rows) as SqlQuery['query'],
          exec: async (text) => {
            await tx.exec(text);
          },
        }),
      ),
    close: () => (closed ??= db.closed ? Promise.resolve() : db.close()),
    dump: () => db.dumpDataDir('none'),
  };
}
