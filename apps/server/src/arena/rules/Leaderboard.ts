import type { LeaderboardEntry } from '../messages.ts';

/** Best scores: this in-memory board, `StorageLeaderboard` (`--database`) or `RedisLeaderboard` (`--redis`). */
export interface ScoreBoard {
  record(userId: string, name: string, score: number): void;
  top(n: number, now: number): LeaderboardEntry[] | Promise<LeaderboardEntry[]>;
  readonly size: number;
}

/**
 * Best scores of the server, by user. Scores change on every tag while reads are rarer, so the
 * sorted list is rebuilt lazily: at most once per `maxAgeMs`, on a read.
 */
export class Leaderboard implements ScoreBoard {
  readonly #scores = new Map<string, LeaderboardEntry>();
  readonly #maxAgeMs: number;
  #sorted: LeaderboardEntry[] = [];
  #sortedAt = -Infinity;
  #dirty = false;

  /** @param maxAgeMs how stale a read may be, in ms. @defaultValue 250 */
  constructor(maxAgeMs = 250) {
    this.#maxAgeMs = maxAgeMs;
  }

  /** Records `name`'s score (a user keeps their best). */
  record(userId: string, name: string, score: number): void {
    const entry = this.#scores.get(userId);
    if (entry === undefined) this.#scores.set(userId, { name, score });
    else if (score > entry.score) entry.score = score;
    else return;
    this.#dirty = true;
  }

  /** The `n` best entries, best first (ties: by name), as of at most `maxAgeMs` ago. */
  top(n: number, now: number): LeaderboardEntry[] {
    if (this.#dirty && now - this.#sortedAt >= this.#maxAgeMs) {
      this.#sorted = [...this.#scores.values()]
        .map((e) => ({ name: e.name, score: e.score }))
        .sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      this.#sortedAt = now;
      this.#dirty = false;
    }
    return this.#sorted.slice(0, n);
  }

  get size(): number {
    return this.#scores.size;
  }
}
