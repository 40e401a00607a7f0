import type { Storage } from '@hearth/storage';
import type { ScoreBoard } from './rules/Leaderboard.ts';
import { ARENA } from './constants.ts';
import type { LeaderboardEntry } from './messages.ts';

/** The leaderboard id Arena keeps its best scores under. */
export const ARENA_LEADERBOARD = 'arena';

/** Options of a {@link StorageLeaderboard}. */
export interface StorageLeaderboardOptions {
  /** How stale a read may be, in ms. @defaultValue 250 */
  maxAgeMs?: number;
  /**
   * Creates the user row a score needs when the login did not (the dev authenticator's users).
   * @defaultValue false (accounts authenticators create users at login)
   */
  ensureUsers?: boolean;
  /** Told when a write failed and was kept for a retry (the database is down). */
  onWriteFailed?: (err: unknown) => void;
}

/**
 * Arena's leaderboard in {@link Storage} (PostgreSQL or PGlite): it survives restarts, and every
 * node of a cluster pointed at the same database reads the same board. A score is one upsert that
 * keeps the user's best; a read is one query (`topScores`), served from a copy at most `maxAgeMs` old.
 *
 * While the database is down, scores are kept in memory (each user's best, so memory is bounded by
 * the players who scored) and written at the next score or read; reads answer the last copy.
 * Nothing a player was told is lost: a tag's reply is the room's score, and the board catches up.
 */
export class StorageLeaderboard implements ScoreBoard {
  readonly #storage: Storage;
  readonly #maxAgeMs: number;
  readonly #ensureUsers: boolean;
  readonly #onWriteFailed: ((err: unknown) => void) | undefined;
  /** Scores not yet written: user → best score and name. */
  readonly #pending = new Map<string, { name: string; score: number }>();
  readonly #ensured = new Set<string>();
  #copy: LeaderboardEntry[] = [];
  #copiedAt = -Infinity;
  #fetching: Promise<void> | undefined;
  #flushing: Promise<void> | undefined;
  /** Writes that failed (and were kept for a retry). */
  failedWrites = 0;

  private constructor(storage: Storage, opts: StorageLeaderboardOptions) {
    this.#storage = storage;
    this.#maxAgeMs = opts.maxAgeMs ?? 250;
    this.#ensureUsers = opts.ensureUsers ?? false;
    this.#onWriteFailed = opts.onWriteFailed;
  }

  /** Defines the `arena` leaderboard (best score, never reset) and returns the board. */
  static async open(storage: Storage, opts: StorageLeaderboardOptions = {}): Promise<StorageLeaderboard> {
    await storage.defineLeaderboard({ id: ARENA_LEADERBOARD, operator: 'best', sort: 'desc', reset: 'never' });
    return new StorageLeaderboard(storage, opts);
  }

  record(userId: string, name: string, score: number): void {
    const known = this.#pending.get(userId);
    if (known === undefined || score > known.score) this.#pending.set(userId, { name, score });
    void this.flush();
  }

  top(n: number, now: number): LeaderboardEntry[] | Promise<LeaderboardEntry[]> {
    if (now - this.#copiedAt < this.#maxAgeMs) return this.#copy.slice(0, n);
    this.#fetching ??= this.#fetch(now).finally(() => (this.#fetching = undefined));
    return this.#fetching.then(() => this.#copy.slice(0, n));
  }

  /** Users on the board, as of the last read. */
  get size(): number {
    return this.#copy.length;
  }

  /** Scores waiting for the database. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Writes the pending scores (one flush at a time); failures stay pending. */
  flush(): Promise<void> {
    this.#flushing ??= this.#write().finally(() => (this.#flushing = undefined));
    return this.#flushing;
  }

  async #write(): Promise<void> {
    while (this.#pending.size > 0) {
      const [userId, entry] = this.#pending.entries().next().value!;
      this.#pending.delete(userId);
      try {
        if (this.#ensureUsers && !this.#ensured.has(userId)) {
          await this.#storage.ensureUser(userId, entry.name);
          this.#ensured.add(userId);
        }
        await this.#storage.submitScore(ARENA_LEADERBOARD, userId, entry.score);
      } catch (err) {
        // Keep the best of what failed and what arrived meanwhile; retried at the next score or read.
        const now = this.#pending.get(userId);
        if (now === undefined || now.score < entry.score) this.#pending.set(userId, entry);
        this.failedWrites++;
        this.#onWriteFailed?.(err);
        return;
      }
    }
  }

  async #fetch(now: number): Promise<void> {
    await this.flush();
    try {
      const rows = await this.#storage.topScores(ARENA_LEADERBOARD, ARENA.leaderboardMax);
      this.#copy = rows.map((e) => ({ name: e.displayName, score: e.score }));
      this.#copiedAt = now;
    } catch {
      // Database down: keep answering the last copy (retried after maxAgeMs).
    }
  }
}
