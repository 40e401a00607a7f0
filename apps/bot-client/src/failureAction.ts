import type { BotPhase } from './Bot.ts';

/** What a bot does about a request that failed with `code` (see {@link failureAction}). */
export type FailureAction =
  /** Nothing: the run is ending, the failure was already counted, or the bot carries on once resumed. */
  | 'ignore'
  /** The room's node stopped answering (it died): join a room again (expected after a node loss). */
  | 'rejoin'
  /** Lost with the connection before playing: log in again on a new client. */
  | 'restart'
  /** A failure the scenario decides on (expected or not); before playing it ends the bot. */
  | 'error';

/** Codes of a room request whose room's node stopped answering (it died: the room is restored elsewhere). */
const ROOM_SILENT: ReadonlySet<string> = new Set(['ROOM_UNREACHABLE', 'TIMEOUT']);

/** What the bot knows when a request fails. */
export interface FailureContext {
  readonly phase: BotPhase;
  /** The run is ending. */
  readonly stopping: boolean;
  /** The request went out on a client the bot has since replaced. */
  readonly staleClient: boolean;
  /** The bot may still log in or join again (it has not done so too often). */
  readonly mayRetry: boolean;
}

/**
 * The bot's decision for a failed request, as a player would take it: a request cut short by the
 * run's end or by a close already counted is nothing; a room whose node died is joined again; a drop
 * during login or join starts over; anything else is an error for the scenario to judge.
 */
export function failureAction(code: string, c: FailureContext): FailureAction {
  if (c.phase === 'closed' || c.stopping || (c.phase === 'failed' && code === 'CLOSED')) return 'ignore';
  if (c.staleClient || code === 'RESUME_REFUSED') return 'ignore';
  const inRoom = c.phase === 'playing' || c.phase === 'joining';
  if (ROOM_SILENT.has(code) && inRoom && c.mayRetry) return 'rejoin';
  if (code === 'DISCONNECTED') return c.phase === 'loggingIn' || c.phase === 'joining' ? 'restart' : 'ignore';
  return 'error';
}
