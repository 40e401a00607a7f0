import type { StateValue } from 'xstate';

/**
 * A player's state as it moves between nodes (the snapshot of a parked resume record): the xstate
 * persisted snapshot without its non-data context fields, and the player's groups. The game's data
 * travels in `machine.context.data`, so it must be msgpack-encodable for cross-node resume.
 * @internal
 */
export interface PortablePlayer {
  readonly v: 1;
  readonly userId: string;
  readonly groups: readonly string[];
  /** When the session's login happened (`Clock.now()` ms of the node that admitted it): the token lifetime counts from it. */
  readonly loginAt?: number;
  readonly machine: {
    readonly status: string;
    readonly value: StateValue;
    readonly historyValue: unknown;
    readonly context: Record<string, unknown>;
    readonly children: unknown;
  };
}

/** The portable state checked for shape (it crossed Redis); undefined when it is not one. @internal */
export function asPortablePlayer(value: unknown): PortablePlayer | undefined {
  const p = value as Partial<PortablePlayer> | null;
  if (typeof p !== 'object' || p === null || p.v !== 1 || typeof p.userId !== 'string' || !Array.isArray(p.groups)) return undefined;
  if (p.loginAt !== undefined && typeof p.loginAt !== 'number') return undefined;
  const m = p.machine;
  if (typeof m !== 'object' || m === null || typeof m.context !== 'object' || m.context === null) return undefined;
  return p as PortablePlayer;
}

/** A parked player's portable state, from its statechart's persisted snapshot (`PlayerActor.portable`). @internal */
export function portableOf(persisted: PortablePlayer['machine'], userId: string, groups: ReadonlySet<string>, loginAt: number): PortablePlayer {
  // The adapter's own references are put back by the node that restores it.
  const { player: _p, effects: _e, timeouts: _t, ...context } = persisted.context;
  const { status, value, historyValue, children } = persisted;
  return { v: 1, userId, groups: [...groups], loginAt, machine: { status, value, historyValue, context, children } };
}

/**
 * The statechart snapshot a player restored from `state` starts from: the inverse of
 * {@link portableOf}, with this node's references (`player`, `effects`, `timeouts`) put back.
 * @internal
 */
export function restoredSnapshot(state: PortablePlayer, references: { readonly player: unknown; readonly effects: unknown; readonly timeouts: unknown }): unknown {
  const { status, value, historyValue, context, children } = state.machine;
  return { status, value, historyValue, context: { ...context, ...references }, children: children ?? {} };
}

/** How a restored actor starts (`PlayerActor` constructor, cross-node resume). @internal */
export interface RestoredPlayer {
  readonly state: PortablePlayer;
  /** The session id it had on the parking node. */
  readonly sessionId: number;
  /** Pushes queued for it, oldest first. */
  readonly queued: readonly Uint8Array[];
}
