import { randomUUID } from 'node:crypto';
import { alreadyExists, badRequest, conflict, sqlState, UNIQUE_VIOLATION } from '../errors.ts';
import type { DeviceRecord, NewUser, PasswordRecord, Profile } from '../Storage.ts';
import type { SqlClient } from './SqlClient.ts';

/** Accounts and profiles on any {@link SqlClient}. Inputs are already checked by `SqlStorage`. */
export class AccountsSql {
  readonly #db: SqlClient;
  readonly #now: () => number;

  constructor(db: SqlClient, now: () => number) {
    this.#db = db;
    this.#now = now;
  }

  async createUser(u: NewUser): Promise<string> {
    const id = randomUUID();
    const now = this.#now();
    try {
      await this.#db.query(
        'INSERT INTO hearth_users (id, username, email, password_hash, display_name, created_ms, last_seen_ms) VALUES ($1, $2, $3, $4, $5, $6, $6)',
        [id, u.username ?? null, u.email ?? null, u.passwordHash ?? null, u.displayName, now],
      );
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) throw alreadyExists('that username or email is already taken');
      throw err;
    }
    return id;
  }

  async ensureUser(userId: string, displayName: string): Promise<void> {
    const now = this.#now();
    await this.#db.query(
      'INSERT INTO hearth_users (id, display_name, created_ms, last_seen_ms) VALUES ($1, $2, $3, $3) ON CONFLICT (id) DO NOTHING',
      [userId, displayName, now],
    );
  }

  async findPassword(column: 'username' | 'email', value: string): Promise<PasswordRecord | undefined> {
    // `column` is one of two constants chosen by the caller's type, never input text.
    const sql =
      column === 'username'
        ? 'SELECT id, password_hash FROM hearth_users WHERE username = $1 AND password_hash IS NOT NULL'
        : 'SELECT id, password_hash FROM hearth_users WHERE email = $1 AND password_hash IS NOT NULL';
    const [row] = await this.#db.query<{ id: string; password_hash: string }>(sql, [value]);
    return row && { userId: row.id, passwordHash: row.password_hash };
  }

  async setPasswordHash(userId: string, hash: string): Promise<void> {
    const rows = await this.#db.query('UPDATE hearth_users SET password_hash = $2 WHERE id = $1 RETURNING id', [userId, hash]);
    if (rows.length === 0) throw badRequest('unknown user');
  }

  async setCredentials(userId: string, username: string, email: string | null, hash: string): Promise<void> {
    let rows: unknown[];
    try {
      rows = await this.#db.query(
        'UPDATE hearth_users SET username = $2, email = $3, password_hash = $4 WHERE id = $1 AND username IS NULL RETURNING id',
        [userId, username, email, hash],
      );
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) throw alreadyExists('that username or email is already taken');
      throw err;
    }
    if (rows.length === 0) throw conflict('this account already has a username (or does not exist)');
  }

  async findDevice(deviceId: string): Promise<DeviceRecord | undefined> {
    const [row] = await this.#db.query<{ user_id: string; secret_hash: string }>(
      'SELECT user_id, secret_hash FROM hearth_devices WHERE device_id = $1',
      [deviceId],
    );
    return row && { userId: row.user_id, secretHash: row.secret_hash };
  }

  /** One transaction: the user and its device, or (a racing first login won) the winner's user. */
  async createDeviceUser(deviceId: string, secretHash: string, displayName: string): Promise<{ userId: string; created: boolean }> {
    const id = randomUUID();
    const now = this.#now();
    return this.#db.transaction(async (tx) => {
      await tx.query(
        'INSERT INTO hearth_users (id, display_name, created_ms, last_seen_ms) VALUES ($1, $2, $3, $3)',
        [id, displayName, now],
      );
      const won = await tx.query(
        'INSERT INTO hearth_devices (device_id, user_id, secret_hash, created_ms) VALUES ($1, $2, $3, $4) ON CONFLICT (device_id) DO NOTHING RETURNING user_id',
        [deviceId, id, secretHash, now],
      );
      if (won.length > 0) return { userId: id, created: true };
      await tx.query('DELETE FROM hearth_users WHERE id = $1', [id]);
      const [row] = await tx.query<{ user_id: string }>('SELECT user_id FROM hearth_devices WHERE device_id = $1', [deviceId]);
      if (!row) throw conflict('device was unlinked while logging in; retry');
      return { userId: row.user_id, created: false };
    });
  }

  async linkDevice(userId: string, deviceId: string, secretHash: string): Promise<void> {
    const rows = await this.#db.query<{ user_id: string }>(
      `INSERT INTO hearth_devices (device_id, user_id, secret_hash, created_ms) VALUES ($1, $2, $3, $4)
       ON CONFLICT (device_id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash WHERE hearth_devices.user_id = EXCLUDED.user_id
       RETURNING user_id`,
      [deviceId, userId, secretHash, this.#now()],
    );
    if (rows.length === 0) throw alreadyExists('that device is linked to another account');
  }

  async identityUser(issuer: string, subject: string, displayName: string): Promise<string> {
    const [found] = await this.#db.query<{ user_id: string }>(
      'SELECT user_id FROM hearth_identities WHERE issuer = $1 AND subject = $2',
      [issuer, subject],
    );
    if (found) return found.user_id;
    const id = randomUUID();
    const now = this.#now();
    return this.#db.transaction(async (tx) => {
      await tx.query('INSERT INTO hearth_users (id, display_name, created_ms, last_seen_ms) VALUES ($1, $2, $3, $3)', [id, displayName, now]);
      const won = await tx.query<{ user_id: string }>(
        'INSERT INTO hearth_identities (issuer, subject, user_id, created_ms) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING user_id',
        [issuer, subject, id, now],
      );
      if (won.length > 0) return id;
      await tx.query('DELETE FROM hearth_users WHERE id = $1', [id]);
      const [row] = await tx.query<{ user_id: string }>('SELECT user_id FROM hearth_identities WHERE issuer = $1 AND subject = $2', [issuer, subject]);
      if (!row) throw conflict('identity vanished while logging in; retry');
      return row.user_id;
    });
  }

  async getProfile(userId: string): Promise<Profile | undefined> {
    const [r] = await this.#db.query<{
      id: string;
      display_name: string;
      username: string | null;
      email: string | null;
      created_ms: number;
      last_seen_ms: number;
    }>(
      'SELECT id, display_name, username, email, created_ms::float8 AS created_ms, last_seen_ms::float8 AS last_seen_ms FROM hearth_users WHERE id = $1',
      [userId],
    );
    if (!r) return undefined;
    return {
      userId: r.id,
      displayName: r.display_name,
      ...(r.username !== null && { username: r.username }),
      ...(r.email !== null && { email: r.email }),
      createdMs: r.created_ms,
      lastSeenMs: r.last_seen_ms,
    };
  }

  async setDisplayName(userId: string, name: string): Promise<void> {
    const rows = await this.#db.query('UPDATE hearth_users SET display_name = $2 WHERE id = $1 RETURNING id', [userId, name]);
    if (rows.length === 0) throw badRequest('unknown user');
  }

  async touch(userId: string): Promise<void> {
    await this.#db.query('UPDATE hearth_users SET last_seen_ms = $2 WHERE id = $1', [userId, this.#now()]);
  }
}
