/** A value bound to a `$n` placeholder. Only these reach the database: never spliced into SQL text. */
export type SqlParam = string | number | boolean | null;

/** Runs one parameterized statement and returns its rows. */
export interface SqlQuery {
  query<R extends object = Record<string, unknown>>(text: string, params?: readonly SqlParam[]): Promise<R[]>;
  /** Runs constant SQL text of several statements (migrations only; takes no parameters). */
  exec(text: string): Promise<void>;
}

/**
 * The little a storage engine must provide: parameterized queries, transactions and close.
 * Driver errors are thrown as the driver made them (with a SQLSTATE `code` where there is one);
 * `SqlStorage` maps them to coded errors.
 */
export interface SqlClient extends SqlQuery {
  /** `'postgres'` (a server, through postgres.js) or `'pglite'` (embedded, WASM). */
  readonly engine: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlQuery) => Promise<T>): Promise<T>;
  /** Closes connections (idempotent). */
  close(): Promise<void>;
}
