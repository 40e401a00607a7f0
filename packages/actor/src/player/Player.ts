import type { AnyDefinition, Payload } from '@hearth/protocol';
import type { Logger } from 'pino';
import type { EventObject, StateValue } from 'xstate';
import type { PlayerRooms } from '../room/PlayerRooms.ts';

/**
 * The handle game code holds on one player: given to handlers (first argument), to lifecycle
 * hooks, and found in the statechart's context as `context.player`. It is the player actor itself,
 * so it stays valid across a resume (the connection under it changes, the handle does not); after
 * the actor closes every call is a harmless no-op returning `false`.
 *
 * @typeParam G - the game's per-player data (`definePlayer({ data })`).
 * @typeParam E - the statechart events the game accepts (routed messages and custom events).
 */
export interface Player<G = unknown, E extends EventObject = EventObject> {
  /** Id of the session currently attached (changes on resume; stays the last one while in grace). */
  readonly sessionId: number;
  /** The logged-in user id (empty string before login). */
  readonly userId: string;
  /** True while a connection is attached (false in grace and after close). */
  readonly connected: boolean;
  /** True until the actor reached `closed`. */
  readonly alive: boolean;
  /** The game's data for this player; reads and writes go to the actor's context. */
  data: G;
  /** The session machine's state value, e.g. `{ active: { heartbeat: 'alive', game: 'lobby' } }`. */
  readonly state: StateValue;
  /** The rooms this player is in, and joining more: `joinOrCreate`, `join`, `create`, `leave` (docs/rooms.md). */
  readonly rooms: PlayerRooms;
  /** The groups this player is in. */
  readonly groups: ReadonlySet<string>;
  /** Logger bound to this session (`sessionId`, `userId`). */
  readonly log: Logger;
  /** Pushes to this player; queued in order while in grace. False once closed. */
  push<D extends AnyDefinition>(definition: D, payload: Payload<D>): boolean;
  /**
   * Pushes to another user on this node (or, with a shared backplane, another node: best effort,
   * `false` is returned and the push is forwarded). Never throws: safe in timers and ticks.
   */
  sendTo<D extends AnyDefinition>(userId: string, definition: D, payload: Payload<D>): boolean;
  /**
   * Pushes to another user wherever it is and says whether it got there: resolves `true` once the
   * push is delivered here or handed to the user's node, `false` when the user is logged in nowhere.
   * Rejects with `HearthError` `BACKPLANE_UNAVAILABLE` at once while Redis is down; returned or
   * awaited in a handler, the client gets that code as the request's error reply.
   */
  deliver<D extends AnyDefinition>(userId: string, definition: D, payload: Payload<D>): Promise<boolean>;
  /** Joins a group (room); idempotent. */
  join(group: string): void;
  /** Leaves a group; idempotent. */
  leave(group: string): void;
  /** Pushes to every member of a group, encoded once. Returns the number of local members reached. */
  broadcast<D extends AnyDefinition>(group: string, definition: D, payload: Payload<D>, options?: BroadcastOptions): number;
  /** Sends an event into this player's statechart (the game region sees it). */
  raise(event: E): void;
  /**
   * Ends the actor: closes the connection with `code` (default `NORMAL`), no grace, the leave hook
   * runs; resolves once it has (at once if the actor had already ended). Never rejects.
   */
  close(code?: string, text?: string): Promise<void>;
}

/** Options of a group broadcast. */
export interface BroadcastOptions {
  /** Skip the sender (the player whose handle broadcast). @defaultValue false */
  exceptSelf?: boolean;
}
