/**
 * What a room needs from a synchronised state: `StateEncoder` from `@hearth/state` has this shape
 * (a structural type, so `@hearth/actor` does not depend on `@hearth/state`).
 *
 * With one, the room sends the members one `room.state` patch after each tick that changed the
 * state (encoded once, the same bytes to every member), and the full state in the join reply.
 */
export interface SyncedState<S> {
  /** The tracked state the room's code mutates (`room.state`). */
  readonly state: S;
  /** True when nothing changed since the last patch. */
  readonly clean: boolean;
  /** The changes since the last patch (then starts a new one). */
  encode(): Uint8Array;
  /** The full state (only when `clean`); with `view`, what that view sees. */
  full(view?: never): Uint8Array;
  /** Views (optional): the changes since the last patch, encoded once, then one patch per view. */
  encodeTick?(): { patch(view?: never): Uint8Array };
  /** Replaces the state with an earlier `full()` (a room restored from its checkpoint); `StateEncoder.load`. */
  load?(full: Uint8Array): void;
  /** Views (optional): moves a client from view `from` to view `to` between patches. */
  switchView?(from: never, to: never): Uint8Array;
}

/** True for a {@link SyncedState} (duck-typed). */
export function isSynced(value: unknown): value is SyncedState<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<SyncedState<unknown>>;
  return typeof v.encode === 'function' && typeof v.full === 'function' && 'state' in v && 'clean' in v;
}
