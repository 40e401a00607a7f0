import { badRequest, sqlState } from '../errors.ts';
import type { LeaderboardEntry, ResetSchedule, ScoreOperator, ScoreSort } from '../Storage.ts';
import type { SqlClient } from './SqlClient.ts';

/** A leaderboard's settings as stored. */
export interface BoardSettings {
  readonly operator: ScoreOperator;
  readonly sort: ScoreSort;
  readonly reset: ResetSchedule;
}

const MAX = Number.MAX_SAFE_INTEGER;
const FOREIGN_KEY_VIOLATION = '23503';

// The statements differ only by constant fragments picked from closed sets (operator × sort);
// input is always bound as a parameter. Sums are clamped so every score stays a safe integer.
const SUBMIT: Record<`${ScoreOperator}:${ScoreSort}`, string> = {
  'best:desc': `score = GREATEST(r.score, EXCLUDED.score),
    updated_ms = CASE WHEN EXCLUDED.score > r.score THEN EXCLUDED.updated_ms ELSE r.updated_ms END`,
  'best:asc': `score = LEAST(r.score, EXCLUDED.score),
    updated_ms = CASE WHEN EXCLUDED.score < r.score THEN EXCLUDED.updated_ms ELSE r.updated_ms END`,
  'sum:desc': `score = LEAST(GREATEST(r.score + EXCLUDED.score, -${MAX}), ${MAX}), updated_ms = EXCLUDED.updated_ms`,
  'sum:asc': `score = LEAST(GREATEST(r.score + EXCLUDED.score, -${MAX}), ${MAX}), updated_ms = EXCLUDED.updated_ms`,
};

const ORDER: Record<ScoreSort, string> = {
  desc: 'r.score DESC, r.updated_ms, r.user_id',
  asc: 'r.score, r.updated_ms, r.user_id',
};
const REVERSE: Record<ScoreSort, string> = {
  desc: 'r.score, r.updated_ms DESC, r.user_id DESC',
  asc: 'r.score DESC, r.updated_ms DESC, r.user_id DESC',
};
/** `r` ranks before `me` (the user asking). */
const BETTER: Record<ScoreSort, string> = {
  desc: '(r.score > me.score OR (r.score = me.score AND (r.updated_ms, r.user_id) < (me.updated_ms, me.user_id)))',
  asc: '(r.score < me.score OR (r.score = me.score AND (r.updated_ms, r.user_id) < (me.updated_ms, me.user_id)))',
};

const topSql = (sort: ScoreSort): string => `
  SELECT r.user_id, u.display_name, r.score::float8 AS score, (row_number() OVER (ORDER BY ${ORDER[sort]}))::float8 AS rank
  FROM hearth_records r JOIN hearth_users u ON u.id = r.user_id
  WHERE r.leaderboard_id = $1 AND r.period = $2 ORDER BY ${ORDER[sort]} LIMIT $3`;

/** One statement: the user's rank (count of better rows), `$4` rows above and the user plus `$4` below. */
const aroundSql = (sort: ScoreSort): string => `
  WITH me AS (SELECT user_id, score, updated_ms FROM hearth_records WHERE leaderboard_id = $1 AND period = $2 AND user_id = $3),
  better AS (SELECT count(*) AS n FROM hearth_records r, me WHERE r.leaderboard_id = $1 AND r.period = $2 AND ${BETTER[sort]}),
  above AS (SELECT r.user_id, r.score, (SELECT n FROM better) - row_number() OVER (ORDER BY ${REVERSE[sort]}) + 1 AS rank
    FROM hearth_records r, me WHERE r.leaderboard_id = $1 AND r.period = $2 AND ${BETTER[sort]} ORDER BY ${REVERSE[sort]} LIMIT $4),
  below AS (SELECT r.user_id, r.score, (SELECT n FROM better) + row_number() OVER (ORDER BY ${ORDER[sort]}) AS rank
    FROM hearth_records r, me WHERE r.leaderboard_id = $1 AND r.period = $2 AND NOT ${BETTER[sort]} ORDER BY ${ORDER[sort]} LIMIT $4 + 1)
  SELECT x.user_id, u.display_name, x.score::float8 AS score, x.rank::float8 AS rank
  FROM (SELECT * FROM above UNION ALL SELECT * FROM below) x JOIN hearth_users u ON u.id = x.user_id ORDER BY x.rank`;

type EntryRow = { user_id: string; display_name: string; score: number; rank: number };
const toEntry = (r: EntryRow): LeaderboardEntry => ({ rank: r.rank, userId: r.user_id, displayName: r.display_name, score: r.score });

const OPERATORS = new Set(['best', 'sum']);
const SORTS = new Set(['desc', 'asc']);
const RESETS = new Set(['never', 'daily', 'weekly', 'monthly']);

/** Leaderboards on any {@link SqlClient}. Inputs are already checked by `SqlStorage`. */
export class LeaderboardSql {
  readonly #db: SqlClient;

  constructor(db: SqlClient) {
    this.#db = db;
  }

  async define(id: string, s: BoardSettings, nowMs: number): Promise<void> {
    await this.#db.query(
      `INSERT INTO hearth_leaderboards (id, operator, sort, reset, created_ms) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET operator = EXCLUDED.operator, sort = EXCLUDED.sort, reset = EXCLUDED.reset`,
      [id, s.operator, s.sort, s.reset, nowMs],
    );
  }

  /** The stored settings, checked like any untrusted row; undefined when not defined. */
  async settings(id: string): Promise<BoardSettings | undefined> {
    const [row] = await this.#db.query<{ operator: string; sort: string; reset: string }>(
      'SELECT operator, sort, reset FROM hearth_leaderboards WHERE id = $1',
      [id],
    );
    if (!row) return undefined;
    if (!OPERATORS.has(row.operator) || !SORTS.has(row.sort) || !RESETS.has(row.reset)) {
      throw new Error(`leaderboard ${id} has unknown settings in the database`);
    }
    return row as BoardSettings;
  }

  async submit(id: string, s: BoardSettings, period: string, userId: string, score: number, nowMs: number): Promise<number> {
    try {
      const [row] = await this.#db.query<{ score: number }>(
        `INSERT INTO hearth_records AS r (leaderboard_id, period, user_id, score, updated_ms) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (leaderboard_id, period, user_id) DO UPDATE SET ${SUBMIT[`${s.operator}:${s.sort}`]}
         RETURNING score::float8 AS score`,
        [id, period, userId, score, nowMs],
      );
      return row!.score;
    } catch (err) {
      if (sqlState(err) === FOREIGN_KEY_VIOLATION) throw badRequest('unknown user');
      throw err;
    }
  }

  async top(id: string, sort: ScoreSort, period: string, limit: number): Promise<LeaderboardEntry[]> {
    return (await this.#db.query<EntryRow>(topSql(sort), [id, period, limit])).map(toEntry);
  }

  async around(id: string, sort: ScoreSort, period: string, userId: string, limit: number): Promise<LeaderboardEntry[]> {
    return (await this.#db.query<EntryRow>(aroundSql(sort), [id, period, userId, limit])).map(toEntry);
  }
}
