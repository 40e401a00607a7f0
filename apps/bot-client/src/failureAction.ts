import type { BotPhase } from './Bot.ts';

/** What a bot does about a request that failed with `code` (see {@link failureAction}). */
export type FailureAction =
  /** Nothing: the run is ending, the failure was already counted, or the bot carries on once resumed. */
  | 'ignore'
  /** The room's node stopped answering (it died): join a room again (expected after a node loss). */
  | 'rejoin'
  /** Lost with the connection before playing: log in again on a new client. */
  | 'restart'
  /** A failure the scenario decides on (expected or not); the bot carries on. */
  | 'error'
  /** A failure of the bot's own login or join step: counted as `error`, and it ends the bot. */
  | 'fail';

/**
 * Codes of a room request whose room's node stopped answering (it died: the room is restored
 * elsewhere), or whose restored room no longer seats the bot (NOT_IN_ROOM).
 */
const ROOM_SILENT: ReadonlySet<string> = new Set(['ROOM_UNREACHABLE', 'TIMEOUT', 'NOT_IN_ROOM']);

/** What the bot knows when a request fails. */
export interface FailureContext {
  readonly phase: BotPhase;
  /** The run is ending. */
  readonly stopping: boolean;
  /** The request went out on a client the bot has since replaced. */
  readonly staleClient: boolean;
  /** The bot may still log in or join again (it has not done so too often). */
  readonly mayRetry: boolean;
  /**
   * The request is a step of logging in or joining (login, join, whereAmI), not a scenario request
   * sent while playing whose answer came after the bot had left to join again.
   */
  readonly step: boolean;
}

/**
 * The bot's decision for a failed request, as a player would take it: a request cut short by the
 * run's end or by a close already counted is nothing; a room whose node died is joined again; a drop
 * during login or join starts over; anything else is an error for the scenario to judge, which ends
 * the bot only when its login or join step failed.
 */
export function failureAction(code: string, c: FailureContext): FailureAction {
  if (c.phase === 'closed' || c.stopping || (c.phase === 'failed' && code === 'CLOSED')) return 'ignore';
  if (c.staleClient || code === 'RESUME_REFUSED') return 'ignore';
  const inRoom = c.phase === 'playing' || c.phase === 'joining';
  // A scenario request of the room the bot already left to join again: that join is under way.
  if (ROOM_SILENT.has(code) && c.phase === 'joining' && !c.step) return 'ignore';
  if (ROOM_SILENT.has(code) && inRoom && c.mayRetry) return 'rejoin';
  const starting = c.phase === 'loggingIn' || c.phase === 'joining';
  if (code === 'DISCONNECTED') return starting ? 'restart' : 'ignore';
  return starting && c.step ? 'fail' : 'error';
}
