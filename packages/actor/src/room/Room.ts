import type { AnyDefinition, Payload } from '@hearth/protocol';
import type { Logger } from 'pino';
import type { EventObject, StateValue } from 'xstate';
import type { Player } from '../player/Player.ts';
import type { Clock } from '../time/Clock.ts';
import type { SyncedState } from './SyncedState.ts';

/**
 * The handle a room's handlers, tick and hooks get (first argument): its state, its members and
 * what it can do to them. The same object for the room's whole life.
 *
 * @typeParam S - the room's state (`state`/`sync` of {@link defineRoom}).
 * @typeParam O - the options it was created with.
 */
export interface Room<S = unknown, O = unknown> {
  /** Unique id (what `join(roomId)` takes). */
  readonly id: string;
  /** The room kind's name. */
  readonly kind: string;
  /** The options the room was created with. */
  readonly options: O;
  /** The room's state: plain data, or the `@hearth/state` tracked state (mutate it; patches follow). */
  readonly state: S;
  /** The `@hearth/state` encoder of a room defined with `sync` (for `GridViews`, `createView`); else undefined. */
  readonly synced: SyncedState<S> | undefined;
  /** Members by user id (joined, not yet left; a member in its grace period stays). */
  readonly members: ReadonlyMap<string, Player>;
  readonly maxPlayers: number;
  /** True after `lock()`: no one joins (members stay). */
  readonly locked: boolean;
  /** True after `setPrivate(true)`: not listed, not picked by `joinOrCreate`, joinable by id. */
  readonly private: boolean;
  /** What listings show about the room (`setMetadata`). */
  readonly metadata: unknown;
  /** The number of the last tick run (0 before the first, or without a tick). */
  readonly tick: number;
  /** The state of the room's `.lifecycle(machine)` (undefined without one). */
  readonly phase: StateValue | undefined;
  /** Sends an event to the room's `.lifecycle(machine)` (ignored without one). */
  raise(event: EventObject): void;
  /** True once disposed: every call is then a harmless no-op. */
  readonly disposed: boolean;
  /** The node's clock (a `ManualClock` in tests). */
  readonly clock: Clock;
  /** Logger bound to `roomId` and `kind`. */
  readonly log: Logger;
  /** Pushes to every member (a `room.push`), encoded once; `except` skips one. Returns members reached. */
  broadcast<D extends AnyDefinition>(definition: D, payload: Payload<D>, options?: { except?: Player }): number;
  /** Pushes to one member (a `room.push`); false if it is not a member. */
  send<D extends AnyDefinition>(player: Player, definition: D, payload: Payload<D>): boolean;
  /**
   * The `@hearth/state` view `player` sees (interest management, e.g. `GridViews.join/move`);
   * `undefined`: the whole state. Members sharing a view share one patch encoding per tick. Call it
   * from `onJoin` (the joiner's full state is then its view's) or any time later (the member gets a
   * view switch after the pending changes' patch). False for a room without `sync` or a stranger.
   */
  setView(player: Player, view: unknown): boolean;
  lock(): void;
  unlock(): void;
  setPrivate(value: boolean): void;
  setMetadata(metadata: unknown): void;
  /** Removes a member (it gets `room.left` with `code`); the `onLeave` hook sees `code`. */
  kick(player: Player, code?: string, text?: string): Promise<boolean>;
  /** Disposes of the room now: members get `room.left` (`ROOM_DISPOSED`), then `onDispose` runs. */
  dispose(): Promise<void>;
}
