import { FlagError } from '@hearth/server/cli';

/**
 * What `--until` waits for: the run ends by work done, not by time. Per-bot terms hold for every
 * bot (each one playing in a room); `moves` and `others` count since the swarm last settled (no bot
 * has dropped, resumed, logged in or joined again since), so after a node loss every bot must play
 * on again before the run ends.
 */
export interface UntilGoal {
  /** Each bot's own moves the server applied (its position changed in the room's state). */
  readonly moves?: number;
  /** Each bot saw this many moves of others in its room. */
  readonly others?: number;
  /** Each bot received this many chat lines from others. */
  readonly chats?: number;
  /** Each bot got this many leaderboard answers. */
  readonly leaderboards?: number;
  /** Tags scored by the whole swarm. */
  readonly tags?: number;
  /** Comebacks after a lost session or room, swarm total (sessions resumed, logins and joins again). */
  readonly recovered?: number;
}

export type UntilTerm = keyof UntilGoal;
const TERMS: readonly UntilTerm[] = ['moves', 'others', 'chats', 'leaderboards', 'tags', 'recovered'];
/** Terms that every bot must reach (the others are swarm totals). */
const PER_BOT: ReadonlySet<UntilTerm> = new Set(['moves', 'others', 'chats', 'leaderboards']);

/**
 * Reads `--until`: comma-separated `TERM=COUNT`, e.g. `moves=40,chats=1,tags=1`.
 * @throws {FlagError} one line naming the flag and the terms it knows.
 */
export function parseUntil(text: string): UntilGoal {
  const goal: Partial<Record<UntilTerm, number>> = {};
  for (const part of text.split(',')) {
    const m = /^([a-z]+)=(\d{1,6})$/.exec(part.trim());
    const term = m?.[1] as UntilTerm | undefined;
    if (m === null || term === undefined || !TERMS.includes(term) || goal[term] !== undefined || Number(m[2]) < 1) {
      throw new FlagError('--until', `--until: expected TERM=COUNT[,TERM=COUNT…] with TERM one of ${TERMS.join('|')} (each once, COUNT ≥ 1), got "${text}"`);
    }
    goal[term] = Number(m[2]);
  }
  return Object.freeze(goal);
}

/** The goal as `--until` spells it. */
export function formatUntil(goal: UntilGoal): string {
  return TERMS.filter((t) => goal[t] !== undefined).map((t) => `${t}=${goal[t]}`).join(',');
}

/** One bot's figures the goal is judged on (`moves`, `others`: since the swarm last settled). */
export interface BotProgress {
  readonly name: string;
  readonly playing: boolean;
  readonly moves: number;
  readonly others: number;
  readonly chats: number;
  readonly leaderboards: number;
}

/** The swarm's figures the goal is judged on. */
export interface SwarmProgressTotals {
  readonly tags: number;
  readonly recovered: number;
}

/**
 * What is still missing for `goal`, in words (the first few bots short of it), or `undefined` when
 * it is met.
 */
export function untilShortfall(goal: UntilGoal, bots: readonly BotProgress[], totals: SwarmProgressTotals): string | undefined {
  const missing: string[] = [];
  for (const term of TERMS) {
    const want = goal[term];
    if (want === undefined || PER_BOT.has(term)) continue;
    const have = totals[term as keyof SwarmProgressTotals];
    if (have < want) missing.push(`${term} ${have}/${want}`);
  }
  const short: string[] = [];
  let shortCount = 0;
  for (const b of bots) {
    const lacks = b.playing ? [] : ['not playing'];
    for (const term of TERMS) {
      const want = goal[term];
      if (want === undefined || !PER_BOT.has(term)) continue;
      const have = b[term as 'moves' | 'others' | 'chats' | 'leaderboards'];
      if (have < want) lacks.push(`${term} ${have}/${want}`);
    }
    if (lacks.length === 0) continue;
    shortCount += 1;
    if (short.length < 3) short.push(`${b.name} ${lacks.join(' ')}`);
  }
  if (shortCount > 0) missing.push(`${shortCount} bots short (${short.join('; ')}${shortCount > short.length ? '; …' : ''})`);
  return missing.length === 0 ? undefined : missing.join(', ');
}
