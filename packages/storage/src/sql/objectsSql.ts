import { badRequest, conflict, sqlState } from '../errors.ts';
import type { StoredObject } from '../Storage.ts';
import type { SqlClient } from './SqlClient.ts';

const FOREIGN_KEY_VIOLATION = '23503';
const COLUMNS = 'key, value::text AS value, version::float8 AS version, updated_ms::float8 AS updated_ms';
type Row = { key: string; value: string; version: number; updated_ms: number };
const toObject = (r: Row): StoredObject => ({ key: r.key, value: JSON.parse(r.value), version: r.version, updatedMs: r.updated_ms });

/**
 * Per-user storage objects with optimistic concurrency. Each write is one statement, so two writers
 * racing on the same version serialize on the row: PostgreSQL re-checks `version = $n` after the
 * first commits, and the second matches no row (`STORAGE_CONFLICT`).
 */
export class ObjectsSql {
  readonly #db: SqlClient;
  readonly #now: () => number;

  constructor(db: SqlClient, now: () => number) {
    this.#db = db;
    this.#now = now;
  }

  async read(userId: string, collection: string, key: string): Promise<StoredObject | undefined> {
    const [row] = await this.#db.query<Row>(
      `SELECT ${COLUMNS} FROM hearth_objects WHERE user_id = $1 AND collection = $2 AND key = $3`,
      [userId, collection, key],
    );
    return row && toObject(row);
  }

  /** `json` is checked, serialized JSON; bound as text and cast to jsonb by the server. */
  async write(userId: string, collection: string, key: string, json: string, ifVersion: number | undefined): Promise<number> {
    const params = [userId, collection, key, json, this.#now()];
    let rows: { version: number }[];
    try {
      if (ifVersion === undefined) {
        rows = await this.#db.query(
          `INSERT INTO hearth_objects AS o (user_id, collection, key, value, version, updated_ms) VALUES ($1, $2, $3, $4::text::jsonb, 1, $5)
           ON CONFLICT (user_id, collection, key) DO UPDATE SET value = EXCLUDED.value, version = o.version + 1, updated_ms = EXCLUDED.updated_ms
           RETURNING version::float8 AS version`,
          params,
        );
      } else if (ifVersion === 0) {
        rows = await this.#db.query(
          `INSERT INTO hearth_objects (user_id, collection, key, value, version, updated_ms) VALUES ($1, $2, $3, $4::text::jsonb, 1, $5)
           ON CONFLICT (user_id, collection, key) DO NOTHING RETURNING version::float8 AS version`,
          params,
        );
      } else {
        rows = await this.#db.query(
          `UPDATE hearth_objects SET value = $4::text::jsonb, version = version + 1, updated_ms = $5
           WHERE user_id = $1 AND collection = $2 AND key = $3 AND version = $6 RETURNING version::float8 AS version`,
          [...params, ifVersion],
        );
      }
    } catch (err) {
      if (sqlState(err) === FOREIGN_KEY_VIOLATION) throw badRequest('unknown user');
      throw err;
    }
    const [row] = rows;
    if (!row) throw conflict(`${collection}/${key} is not at version ${ifVersion}; read it again and retry`);
    return row.version;
  }

  async delete(userId: string, collection: string, key: string, ifVersion: number | undefined): Promise<boolean> {
    if (ifVersion === undefined) {
      const rows = await this.#db.query(
        'DELETE FROM hearth_objects WHERE user_id = $1 AND collection = $2 AND key = $3 RETURNING key',
        [userId, collection, key],
      );
      return rows.length > 0;
    }
    const rows = await this.#db.query(
      'DELETE FROM hearth_objects WHERE user_id = $1 AND collection = $2 AND key = $3 AND version = $4 RETURNING key',
      [userId, collection, key, ifVersion],
    );
    if (rows.length === 0) throw conflict(`${collection}/${key} is not at version ${ifVersion}; read it again and retry`);
    return true;
  }

  async list(userId: string, collection: string, limit: number, afterKey: string): Promise<StoredObject[]> {
    const rows = await this.#db.query<Row>(
      `SELECT ${COLUMNS} FROM hearth_objects WHERE user_id = $1 AND collection = $2 AND key > $3 ORDER BY key LIMIT $4`,
      [userId, collection, afterKey, limit],
    );
    return rows.map(toObject);
  }
}
