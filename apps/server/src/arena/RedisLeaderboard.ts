import type { RedisBackplane } from '@hearth/actor/cluster';
import { ARENA } from './constants.ts';
import type { LeaderboardEntry } from './messages.ts';
import type { ScoreBoard } from './rules/Leaderboard.ts';

/** The backplane's Redis command connection (fail-fast: rejects at once while Redis is down). */
type ClusterRedis = RedisBackplane['redis'];

/** Members of one `ZADD` at most (a turn with more names sends several). */
export const ZADD_MEMBERS = 512;

/**
 * Arena's leaderboard shared by every node: one Redis sorted set, name → best score (`ZADD GT`
 * keeps a user's best). Reads are served from a copy of the top `ARENA.leaderboardMax` refreshed at
 * most every `maxAgeMs` (as the in-memory board), so a burst of leaderboard requests costs one
 * ZREVRANGE. Writes are batched: the scores recorded in one event-loop turn go out as one
 * `ZADD GT` (a name's best of the turn, at most {@link ZADD_MEMBERS} members per command), sent
 * before any read issued after them. While Redis is down scores are not recorded (counted in
 * `dropped`, one per `record`) and reads answer the last copy: local play continues.
 */
export class RedisLeaderboard implements ScoreBoard {
  readonly #redis: ClusterRedis;
  readonly #key: string;
  readonly #maxAgeMs: number;
  #copy: LeaderboardEntry[] = [];
  #copiedAt = -Infinity;
  #size = 0;
  #fetching: Promise<void> | undefined;
  /** This turn's scores not yet sent: name → best score. */
  #pending = new Map<string, number>();
  /** `record` calls behind {@link RedisLeaderboard.#pending} (what `dropped` counts if their write fails). */
  #pendingRecords = 0;
  #flushScheduled = false;
  /** Scores that could not be written (Redis down). */
  dropped = 0;

  /** @param maxAgeMs how stale a read may be, in ms. @defaultValue 250 */
  constructor(redis: ClusterRedis, prefix: string, maxAgeMs = 250) {
    this.#redis = redis;
    this.#key = `${prefix}{arena}:scores`;
    this.#maxAgeMs = maxAgeMs;
  }

  record(_userId: string, name: string, score: number): void {
    if (Number.isNaN(score)) {
      this.dropped++; // Redis refuses it: it must not fail the turn's other scores
      return;
    }
    const best = this.#pending.get(name);
    if (best === undefined || score > best) this.#pending.set(name, score);
    this.#pendingRecords++;
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => void this.flush());
  }

  /**
   * Sends the scores recorded and not yet sent (done by itself once per turn); resolves once Redis
   * has answered, failed writes counted in `dropped`. Never rejects.
   */
  flush(): Promise<void> {
    this.#flushScheduled = false;
    if (this.#pending.size === 0) return Promise.resolve();
    const pending = this.#pending;
    let records = this.#pendingRecords;
    this.#pending = new Map();
    this.#pendingRecords = 0;
    const writes: Promise<void>[] = [];
    let args: (string | number)[] = [];
    const send = (last: boolean): void => {
      // the failure of a chunk drops its share of the records; the last chunk takes the rest
      const share = last ? records : Math.min(records, args.length / 2);
      records -= share;
      writes.push(this.#redis.call('ZADD', this.#key, 'GT', ...args).then(() => undefined, () => void (this.dropped += share)));
      args = [];
    };
    let left = pending.size;
    for (const [name, score] of pending) {
      args.push(score, name);
      if (--left === 0 || args.length === 2 * ZADD_MEMBERS) send(left === 0);
    }
    return Promise.all(writes).then(() => undefined);
  }

  top(n: number, now: number): LeaderboardEntry[] | Promise<LeaderboardEntry[]> {
    if (now - this.#copiedAt < this.#maxAgeMs) return this.#copy.slice(0, n);
    void this.flush(); // a read sees the scores recorded before it (one connection: commands in order)
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
