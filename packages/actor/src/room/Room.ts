import type { AnyDefinition, Payload } from '@hearth/protocol';
import type { Logger } from 'pino';
import type { EventObject, StateValue } from 'xstate';
import type { Clock } from '../time/Clock.ts';
import type { RoomMember } from './RoomMember.ts';
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
  /**
   * Members by user id (joined, not yet left; a member in its grace period stays, `connected`
   * false). A member may be held by another node of the cluster: the same {@link RoomMember}.
   */
  readonly members: ReadonlyMap<string, RoomMember>;
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
  /**
   * Pushes to every member (a `room.push`), encoded once (and published once per other node with
   * members); `except` skips one (a member or a user id). Returns the members reached on this node.
   */
  broadcast<D extends AnyDefinition>(definition: D, payload: Payload<D>, options?: { except?: RoomMember | string }): number;
  /** Pushes to one member (a `room.push`), by member or user id; false if it is not a member. Same as `member.send`. */
  send<D extends AnyDefinition>(member: RoomMember | string, definition: D, payload: Payload<D>): boolean;
  /**
   * The `@hearth/state` view `member` sees (interest management, e.g. `GridViews.join/move`);
   * `undefined`: the whole state. Members sharing a view share one patch encoding per tick. Call it
   * from `onJoin` (the joiner's full state is then its view's) or any time later (the member gets a
   * view switch after the pending changes' patch). False for a room without `sync` or a stranger.
   */
  setView(member: RoomMember | string, view: unknown): boolean;
  lock(): void;
  unlock(): void;
  setPrivate(value: boolean): void;
  setMetadata(metadata: unknown): void;
  /** Removes a member (it gets `room.left` with `code`); the `onLeave` hook sees `code`. */
  kick(member: RoomMember | string, code?: string, text?: string): Promise<boolean>;
  /** Disposes of the room now: members get `room.left` (`ROOM_DISPOSED`), then `onDispose` runs. */
  dispose(): Promise<void>;
}
