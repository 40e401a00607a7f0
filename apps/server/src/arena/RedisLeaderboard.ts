import type { RedisBackplane } from '@hearth/actor/cluster';
import { ARENA } from './constants.ts';
import type { LeaderboardEntry } from './messages.ts';
import type { ScoreBoard } from './rules/Leaderboard.ts';

/** The backplane's Redis command connection (fail-fast: rejects at once while Redis is down). */
type ClusterRedis = RedisBackplane['redis'];

/**
 * Arena's leaderboard shared by every node: one Redis sorted set, name → best score (`ZADD GT`
 * keeps a user's best). Reads are served from a copy of the top `ARENA.leaderboardMax` refreshed at
 * most every `maxAgeMs` (as the in-memory board), so a burst of leaderboard requests costs one
 * ZREVRANGE. While Redis is down scores are not recorded (counted in `dropped`) and reads answer the
 * last copy: local play continues.
 */
export class RedisLeaderboard implements ScoreBoard {
  readonly #redis: ClusterRedis;
  readonly #key: string;
  readonly #maxAgeMs: number;
  #copy: LeaderboardEntry[] = [];
  #copiedAt = -Infinity;
  #size = 0;
  #fetching: Promise<void> | undefined;
  /** Scores that could not be written (Redis down). */
  dropped = 0;

  /** @param maxAgeMs how stale a read may be, in ms. @defaultValue 250 */
  constructor(redis: ClusterRedis, prefix: string, maxAgeMs = 250) {
    this.#redis = redis;
    this.#key = `${prefix}{arena}:scores`;
    this.#maxAgeMs = maxAgeMs;
  }

  record(_userId: string, name: string, score: number): void {
    this.#redis.call('ZADD', this.#key, 'GT', score, name).catch(() => this.dropped++);
  }

  top(n: number, now: number): LeaderboardEntry[] | Promise<LeaderboardEntry[]> {
    if (now - this.#copiedAt < this.#maxAgeMs) return this.#copy.slice(0, n);
    this.#fetching ??= this.#fetch(now).finally(() => (this.#fetching = undefined));
    return this.#fetching.then(() => this.#copy.slice(0, n));
  }

  /** Users with a score, as of the last read. */
  get size(): number {
    return this.#size;
  }

  async #fetch(now: number): Promise<void> {
    try {
      const [range, card] = await Promise.all([
        this.#redis.zrevrange(this.#key, 0, ARENA.leaderboardMax - 1, 'WITHSCORES'),
        this.#redis.zcard(this.#key),
      ]);
      const entries: LeaderboardEntry[] = [];
      for (let i = 0; i + 1 < range.length; i += 2) entries.push({ name: range[i]!, score: Number(range[i + 1]) });
      // Ties by name, as the in-memory board (Redis orders equal scores by member, descending).
      entries.sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      this.#copy = entries;
      this.#size = card;
    } catch {
      // Redis down: keep answering the last copy (retried after maxAgeMs).
    }
    this.#copiedAt = now;
  }
}
