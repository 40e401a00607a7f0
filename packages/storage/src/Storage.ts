/** A player's profile. Times are milliseconds since the epoch, from the storage's clock. */
export interface Profile {
  readonly userId: string;
  readonly displayName: string;
  /** Set once the account has a username (password login). */
  readonly username?: string;
  readonly email?: string;
  readonly createdMs: number;
  readonly lastSeenMs: number;
}

/** A new account. `passwordHash` is an argon2id PHC string, never a password. */
export interface NewUser {
  readonly displayName: string;
  readonly username?: string;
  readonly email?: string;
  readonly passwordHash?: string;
}

/** The stored credential of a login name. */
export interface PasswordRecord {
  readonly userId: string;
  readonly passwordHash: string;
}

/** A device and the hash of the secret its client keeps. */
export interface DeviceRecord {
  readonly userId: string;
  readonly secretHash: string;
}

/** A per-user storage object: JSON and its version (1 after the first write, +1 per write). */
export interface StoredObject {
  readonly key: string;
  readonly value: unknown;
  readonly version: number;
  readonly updatedMs: number;
}

/** How scores combine: keep the `best`, or add them up (`sum`). */
export type ScoreOperator = 'best' | 'sum';
/** `desc`: higher is better; `asc`: lower is better (e.g. times). */
export type ScoreSort = 'desc' | 'asc';
/** When a leaderboard starts afresh (UTC; weeks are ISO weeks, starting Monday). */
export type ResetSchedule = 'never' | 'daily' | 'weekly' | 'monthly';

export interface LeaderboardConfig {
  readonly id: string;
  readonly operator: ScoreOperator;
  /** @defaultValue 'desc' */
  readonly sort?: ScoreSort;
  /** @defaultValue 'never' */
  readonly reset?: ResetSchedule;
}

/** One row of a leaderboard. `rank` is 1-based; ties go to whoever reached the score first. */
export interface LeaderboardEntry {
  readonly rank: number;
  readonly userId: string;
  readonly displayName: string;
  readonly score: number;
}

/** Selects a past period of a leaderboard (its key, e.g. `d2026-11-30`, `w2026-W48`); default: current. */
export interface PeriodOption {
  readonly period?: string;
}

/**
 * Everything Hearth keeps in a database: accounts, profiles, per-user objects and leaderboards.
 * One interface, one SQL schema, two engines (PostgreSQL, PGlite): see `openStorage`.
 *
 * Every method checks its inputs (`BAD_REQUEST`, `TOO_LARGE`), binds them as parameters, and fails
 * with `STORAGE_UNAVAILABLE` when the database does; nothing is half-written then (one statement
 * or one transaction per call).
 */
export interface Storage extends AsyncDisposable {
  readonly engine: 'postgres' | 'pglite';

  // accounts
  /** @throws {HearthError} `ALREADY_EXISTS` when the username or email is taken. */
  createUser(user: NewUser): Promise<string>;
  /** Creates the user `userId` when missing (dev and external logins); returns nothing either way. */
  ensureUser(userId: string, displayName: string): Promise<void>;
  findPassword(login: { readonly username: string } | { readonly email: string }): Promise<PasswordRecord | undefined>;
  setPasswordHash(userId: string, passwordHash: string): Promise<void>;
  /**
   * Gives an account without a username (a device or external account) a username, optional email
   * and password. @throws `ALREADY_EXISTS` (taken), `STORAGE_CONFLICT` (the account already has one).
   */
  setCredentials(userId: string, credentials: { username: string; email?: string; passwordHash: string }): Promise<void>;
  findDevice(deviceId: string): Promise<DeviceRecord | undefined>;
  /** Creates an account owning `deviceId`, or returns the device's existing owner (`created: false`). */
  createDeviceUser(deviceId: string, secretHash: string, displayName: string): Promise<{ userId: string; created: boolean }>;
  /** Links a device to an existing account. @throws `ALREADY_EXISTS` when it belongs to another account. */
  linkDevice(userId: string, deviceId: string, secretHash: string): Promise<void>;
  /** The account of an external identity (issuer, subject), created on first sight. */
  identityUser(issuer: string, subject: string, displayName: string): Promise<string>;

  // profiles
  getProfile(userId: string): Promise<Profile | undefined>;
  setDisplayName(userId: string, displayName: string): Promise<void>;
  /** Records that the user was seen now (login). */
  touch(userId: string): Promise<void>;

  // objects
  readObject(userId: string, collection: string, key: string): Promise<StoredObject | undefined>;
  /**
   * Writes a JSON value and returns its new version. `ifVersion` 0 means "only if absent"; n means
   * "only if still at version n"; omitted means unconditional.
   * @throws {HearthError} `STORAGE_CONFLICT` when `ifVersion` does not match, `TOO_LARGE` past `maxObjectBytes`.
   */
  writeObject(userId: string, collection: string, key: string, value: unknown, ifVersion?: number): Promise<number>;
  /** Deletes an object; false when absent. @throws `STORAGE_CONFLICT` when `ifVersion` does not match. */
  deleteObject(userId: string, collection: string, key: string, ifVersion?: number): Promise<boolean>;
  /** A user's objects of one collection by key order, at most `limit` (1..100, default 100), after `afterKey`. */
  listObjects(userId: string, collection: string, opts?: { limit?: number; afterKey?: string }): Promise<StoredObject[]>;

  // leaderboards
  /** Creates a leaderboard, or updates its settings (existing records stay). */
  defineLeaderboard(config: LeaderboardConfig): Promise<void>;
  /** Submits a score to the current period; returns the user's score there after the operator. */
  submitScore(leaderboardId: string, userId: string, score: number): Promise<number>;
  /** The best `limit` (1..100) entries. One query. */
  topScores(leaderboardId: string, limit?: number, opts?: PeriodOption): Promise<LeaderboardEntry[]>;
  /** Up to `limit` entries above the user, the user, and up to `limit` below. Empty when unranked. */
  scoresAround(leaderboardId: string, userId: string, limit?: number, opts?: PeriodOption): Promise<LeaderboardEntry[]>;
  /** The key of the current period of a leaderboard, and when it ends (undefined for `never`). */
  currentPeriod(leaderboardId: string): Promise<{ period: string; endsMs: number | undefined }>;

  /** Closes the engine (idempotent). */
  close(): Promise<void>;
}
