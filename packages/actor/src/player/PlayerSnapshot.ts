import type { StateValue } from 'xstate';
import type { PlayerConnection } from './PlayerConnection.ts';
import type { PlayerTimer } from './PlayerTimer.ts';

/** Which of the actor's timers is armed. */
export type TimerKind = 'login' | 'heartbeat' | 'grace';

/** One player as the admin view shows it (`holder.snapshots()`). Plain data, JSON-safe. */
export interface PlayerSnapshot {
  readonly sessionId: number;
  readonly userId: string | undefined;
  /** The session machine's state value, e.g. `{ active: { heartbeat: 'alive', game: 'lobby' } }`. */
  readonly state: StateValue;
  /** False while in grace. */
  readonly connected: boolean;
  readonly remoteAddress: string | undefined;
  readonly groups: readonly string[];
  /** The armed timer and when it fires. */
  readonly timer: { readonly kind: TimerKind; readonly dueInMs: number } | undefined;
  /** Pushes queued during grace. */
  readonly queued: number;
}

/** One player's admin view, from the actor's parts (`PlayerActor.snapshot`). @internal */
export function snapshotOf(sessionId: number, userId: string, state: StateValue, link: PlayerConnection, groups: ReadonlySet<string>, timer: PlayerTimer): PlayerSnapshot {
  const kind = timer.kind;
  return {
    sessionId,
    userId: userId || undefined,
    state,
    connected: link.ref !== undefined,
    remoteAddress: link.ref?.info()?.remoteAddress,
    groups: [...groups],
    timer: kind === undefined ? undefined : { kind, dueInMs: timer.dueInMs() },
    queued: link.queued.length,
  };
}
