import type { EventObject, MetaObject, ParameterizedObject, ProvidedActor, StateNodeConfig } from 'xstate';
import type { ResolvedTimeouts } from '../PlayerTimeouts.ts';
import type { Player } from './Player.ts';

/** The statechart context a game region's actions and guards see. */
export interface PlayerContext<G = unknown, E extends EventObject = EventObject> {
  /** Id of the session that created the actor. */
  readonly sessionId: number;
  /** The user id once logged in. */
  readonly userId: string | undefined;
  /** The game's per-player data (also `player.data`). */
  data: G;
  /** Helpers: `push`, `sendTo`, `join`, `leave`, `broadcast`, `raise`, `close`, `log`. */
  readonly player: Player<G, E>;
  readonly timeouts: ResolvedTimeouts;
}

/**
 * The application's game region: an xstate state node config (its `initial`, `states`, `on`,
 * `entry`, `after`...) spliced into the session machine as `active.game`, typed with the player's
 * context and the events declared with `route` / `events`.
 */
export type GameRegion<G, E extends EventObject> = StateNodeConfig<
  PlayerContext<G, E>,
  E,
  ProvidedActor,
  ParameterizedObject,
  ParameterizedObject,
  string,
  string,
  unknown,
  EventObject,
  MetaObject
>;
