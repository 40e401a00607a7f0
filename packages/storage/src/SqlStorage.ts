import { badRequest } from './errors.ts';
import { toStorageError } from './errors.ts';
import { checkJson } from './checkJson.ts';
import { isPeriodKey, periodOf } from './leaderboard/period.ts';
import { AccountsSql } from './sql/accountsSql.ts';
import { LeaderboardSql, type BoardSettings } from './sql/leaderboardSql.ts';
import { ObjectsSql } from './sql/objectsSql.ts';
import type { SqlClient } from './sql/SqlClient.ts';
import type {
  DeviceRecord,
  LeaderboardConfig,
  LeaderboardEntry,
  NewUser,
  PasswordRecord,
  PeriodOption,
  Profile,
  Storage,
  StoredObject,
} from './Storage.ts';
import * as v from './validate.ts';

/** Options of {@link SqlStorage} (and `openStorage`). */
export interface StorageOptions {
  /** Largest storage object value, in bytes of JSON. @defaultValue 16_384 */
  maxObjectBytes?: number;
  /** The clock for created/last-seen/updated times and leaderboard periods. @defaultValue Date.now */
  now?: () => number;
}

export const DEFAULT_MAX_OBJECT_BYTES = 16_384;
const HASH = /^[\x21-\x7e]{1,512}$/;
const ISSUER = 512;
const SUBJECT = 255;

function checkText(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max || !v.wellFormed(value) || /\p{Cc}/u.test(value)) {
    throw badRequest(`${field} must be 1-${max} printable characters`);
  }
  return value;
}

/**
 * {@link Storage} on any SQL engine ({@link SqlClient}): checks every input, runs one statement or
 * one transaction per call, and maps driver failures to `STORAGE_UNAVAILABLE`.
 * Build it with `openStorage`, which also migrates the schema.
 */
export class SqlStorage implements Storage {
  readonly engine: 'postgres' | 'pglite';
  readonly #db: SqlClient;
  readonly #now: () => number;
  readonly #maxObjectBytes: number;
  readonly #accounts: AccountsSql;
  readonly #objects: ObjectsSql;
  readonly #boards: LeaderboardSql;
  /** Leaderboard settings by id: they change only through `defineLeaderboard` on some node. */
  readonly #settings = new Map<string, BoardSettings>();

  constructor(db: SqlClient, opts: StorageOptions = {}) {
    this.engine = db.engine;
    this.#db = db;
    this.#now = opts.now ?? Date.now;
    this.#maxObjectBytes = opts.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES;
    this.#accounts = new AccountsSql(db, this.#now);
    this.#objects = new ObjectsSql(db, this.#now);
    this.#boards = new LeaderboardSql(db);
  }

  /** Runs `fn`, turning any driver error into `STORAGE_UNAVAILABLE`; coded errors pass through. */
  async #run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toStorageError(err, what);
    }
  }

  createUser(u: NewUser): Promise<string> {
    return this.#run('createUser', () => {
      const user: NewUser = {
        displayName: v.checkDisplayName(u.displayName),
        ...(u.username !== undefined && { username: v.checkUsername(u.username) }),
        ...(u.email !== undefined && { email: v.checkEmail(u.email) }),
        ...(u.passwordHash !== undefined && { passwordHash: checkText(u.passwordHash, 'passwordHash', 512) }),
      };
      return this.#accounts.createUser(user);
    });
  }

  ensureUser(userId: string, displayName: string): Promise<void> {
    return this.#run('ensureUser', () => this.#accounts.ensureUser(v.checkUserId(userId), v.checkDisplayName(displayName)));
  }

  findPassword(login: { readonly username: string } | { readonly email: string }): Promise<PasswordRecord | undefined> {
    return this.#run('findPassword', () =>
      'username' in login
        ? this.#accounts.findPassword('username', v.checkUsername(login.username))
        : this.#accounts.findPassword('email', v.checkEmail(login.email)),
    );
  }

  setPasswordHash(userId: string, passwordHash: string): Promise<void> {
    return this.#run('setPasswordHash', () => this.#accounts.setPasswordHash(v.checkUserId(userId), checkHash(passwordHash)));
  }

  setCredentials(userId: string, c: { username: string; email?: string; passwordHash: string }): Promise<void> {
    return this.#run('setCredentials', () =>
      this.#accounts.setCredentials(
        v.checkUserId(userId),
        v.checkUsername(c.username),
        c.email === undefined ? null : v.checkEmail(c.email),
        checkHash(c.passwordHash),
      ),
    );
  }

  findDevice(deviceId: string): Promise<DeviceRecord | undefined> {
    return this.#run('findDevice', () => this.#accounts.findDevice(v.checkDeviceId(deviceId)));
  }

  createDeviceUser(deviceId: string, secretHash: string, displayName: string): Promise<{ userId: string; created: boolean }> {
    return this.#run('createDeviceUser', () =>
      this.#accounts.createDeviceUser(v.checkDeviceId(deviceId), checkHash(secretHash), v.checkDisplayName(displayName)),
    );
  }

  linkDevice(userId: string, deviceId: string, secretHash: string): Promise<void> {
    return this.#run('linkDevice', () =>
      this.#accounts.linkDevice(v.checkUserId(userId), v.checkDeviceId(deviceId), checkHash(secretHash)),
    );
  }

  identityUser(issuer: string, subject: string, displayName: string): Promise<string> {
    return this.#run('identityUser', () =>
      this.#accounts.identityUser(checkText(issuer, 'issuer', ISSUER), checkText(subject, 'subject', SUBJECT), v.checkDisplayName(displayName)),
    );
  }

  getProfile(userId: string): Promise<Profile | undefined> {
    return this.#run('getProfile', () => this.#accounts.getProfile(v.checkUserId(userId)));
  }

  setDisplayName(userId: string, displayName: string): Promise<void> {
    return this.#run('setDisplayName', () => this.#accounts.setDisplayName(v.checkUserId(userId), v.checkDisplayName(displayName)));
  }

  touch(userId: string): Promise<void> {
    return this.#run('touch', () => this.#accounts.touch(v.checkUserId(userId)));
  }

  readObject(userId: string, collection: string, key: string): Promise<StoredObject | undefined> {
    return this.#run('readObject', () => this.#objects.read(v.checkUserId(userId), v.checkCollection(collection), v.checkKey(key)));
  }

  writeObject(userId: string, collection: string, key: string, value: unknown, ifVersion?: number): Promise<number> {
    return this.#run('writeObject', () =>
      this.#objects.write(
        v.checkUserId(userId),
        v.checkCollection(collection),
        v.checkKey(key),
        checkJson(value, this.#maxObjectBytes),
        ifVersion === undefined ? undefined : v.checkVersion(ifVersion),
      ),
    );
  }

  deleteObject(userId: string, collection: string, key: string, ifVersion?: number): Promise<boolean> {
    return this.#run('deleteObject', () =>
      this.#objects.delete(
        v.checkUserId(userId),
        v.checkCollection(collection),
        v.checkKey(key),
        ifVersion === undefined ? undefined : v.checkVersion(ifVersion),
      ),
    );
  }

  listObjects(userId: string, collection: string, opts: { limit?: number; afterKey?: string } = {}): Promise<StoredObject[]> {
    return this.#run('listObjects', () =>
      this.#objects.list(
        v.checkUserId(userId),
        v.checkCollection(collection),
        v.checkLimit(opts.limit, v.Limits.page),
        opts.afterKey === undefined ? '' : v.checkKey(opts.afterKey),
      ),
    );
  }

  defineLeaderboard(config: LeaderboardConfig): Promise<void> {
    return this.#run('defineLeaderboard', async () => {
      const id = v.checkLeaderboardId(config.id);
      const s: BoardSettings = {
        operator: oneOf(config.operator, ['best', 'sum'] as const, 'operator'),
        sort: oneOf(config.sort ?? 'desc', ['desc', 'asc'] as const, 'sort'),
        reset: oneOf(config.reset ?? 'never', ['never', 'daily', 'weekly', 'monthly'] as const, 'reset'),
      };
      await this.#boards.define(id, s, this.#now());
      this.#settings.set(id, s);
    });
  }

  async #board(id: string): Promise<BoardSettings> {
    const known = this.#settings.get(id);
    if (known) return known;
    const s = await this.#boards.settings(id);
    if (!s) throw badRequest(`unknown leaderboard "${id}": define it first`);
    this.#settings.set(id, s);
    return s;
  }

  #period(s: BoardSettings, opts: PeriodOption | undefined): string {
    if (opts?.period === undefined) return periodOf(s.reset, this.#now()).period;
    if (!isPeriodKey(opts.period)) throw badRequest('period must be all, dYYYY-MM-DD, wYYYY-Www or mYYYY-MM');
    return opts.period;
  }

  submitScore(leaderboardId: string, userId: string, score: number): Promise<number> {
    return this.#run('submitScore', async () => {
      const id = v.checkLeaderboardId(leaderboardId);
      const user = v.checkUserId(userId);
      const value = v.checkScore(score);
      const s = await this.#board(id);
      const now = this.#now();
      return this.#boards.submit(id, s, periodOf(s.reset, now).period, user, value, now);
    });
  }

  topScores(leaderboardId: string, limit?: number, opts?: PeriodOption): Promise<LeaderboardEntry[]> {
    return this.#run('topScores', async () => {
      const id = v.checkLeaderboardId(leaderboardId);
      const n = v.checkLimit(limit, 10);
      const s = await this.#board(id);
      return this.#boards.top(id, s.sort, this.#period(s, opts), n);
    });
  }

  scoresAround(leaderboardId: string, userId: string, limit?: number, opts?: PeriodOption): Promise<LeaderboardEntry[]> {
    return this.#run('scoresAround', async () => {
      const id = v.checkLeaderboardId(leaderboardId);
      const user = v.checkUserId(userId);
      const n = v.checkLimit(limit, 5);
      const s = await this.#board(id);
      return this.#boards.around(id, s.sort, this.#period(s, opts), user, n);
    });
  }

  currentPeriod(leaderboardId: string): Promise<{ period: string; endsMs: number | undefined }> {
    return this.#run('currentPeriod', async () => periodOf((await this.#board(v.checkLeaderboardId(leaderboardId))).reset, this.#now()));
  }

  close(): Promise<void> {
    return this.#db.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function checkHash(h: unknown): string {
  if (typeof h !== 'string' || !HASH.test(h)) throw badRequest('hash must be 1-512 printable ASCII characters');
  return h;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw badRequest(`${field} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}
