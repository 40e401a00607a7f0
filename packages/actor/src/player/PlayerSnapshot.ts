import type { StateValue } from 'xstate';

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
