import type { ResetSchedule } from '../Storage.ts';

const DAY = 86_400_000;
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * The key of the period that `nowMs` falls in, and when that period ends (UTC):
 * `all` (never), `d2026-11-30` (daily), `w2026-W48` (ISO week, from Monday), `m2026-11` (monthly).
 * A reset is nothing but a new key: old periods stay readable by their key.
 */
export function periodOf(reset: ResetSchedule, nowMs: number): { period: string; endsMs: number | undefined } {
  const d = new Date(nowMs);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const dayStart = Date.UTC(y, m, d.getUTCDate());
  switch (reset) {
    case 'never':
      return { period: 'all', endsMs: undefined };
    case 'daily':
      return { period: `d${y}-${pad(m + 1)}-${pad(d.getUTCDate())}`, endsMs: dayStart + DAY };
    case 'monthly':
      return { period: `m${y}-${pad(m + 1)}`, endsMs: Date.UTC(y, m + 1, 1) };
    case 'weekly': {
      const weekday = (d.getUTCDay() + 6) % 7; // Monday = 0
      const monday = dayStart - weekday * DAY;
      const thursday = new Date(monday + 3 * DAY); // ISO: the week belongs to the year of its Thursday
      const isoYear = thursday.getUTCFullYear();
      const week = Math.floor((thursday.getTime() - Date.UTC(isoYear, 0, 1)) / (7 * DAY)) + 1;
      return { period: `w${isoYear}-W${pad(week)}`, endsMs: monday + 7 * DAY };
    }
  }
}

const PERIOD = /^(all|d\d{4}-\d{2}-\d{2}|w\d{4}-W\d{2}|m\d{4}-\d{2})$/;

/** True for a well-formed period key (`all`, `dYYYY-MM-DD`, `wYYYY-Www`, `mYYYY-MM`). */
export const isPeriodKey = (s: unknown): s is string => typeof s === 'string' && s.length <= 16 && PERIOD.test(s);
