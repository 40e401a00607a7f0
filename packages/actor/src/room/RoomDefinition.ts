import type { AnyDefinition, Payload, Reply, RoomOptions } from '@hearth/protocol';
import type { AnyStateMachine } from 'xstate';
import type { LeaveReason } from '../player/definePlayer.ts';
import { RoomErrorCode, roomError } from './errors.ts';
import type { Room } from './Room.ts';
import type { RoomMember } from './RoomMember.ts';
import type { SyncedState } from './SyncedState.ts';

/** A handler for a message clients address to the room; returns the typed reply (or throws a `HearthError`). */
export type RoomHandler<D extends AnyDefinition, S, O> = (room: Room<S, O>, member: RoomMember, payload: Payload<D>) => Reply<D> | Promise<Reply<D>>;

/** The fixed-timestep tick: `dt` is always `1000 / tickHz` ms, `tick` the tick's number (1, 2, ...). */
export type TickHandler<S, O> = (room: Room<S, O>, dt: number, tick: number) => void;

/** Lifecycle hooks of a room kind (each may be async; a room handles nothing before `onCreate` settled). */
export interface RoomHooks<S, O> {
  /** Once, when the room is created, with the creator's options. Throwing refuses the creation. */
  onCreate?: (room: Room<S, O>, options: O) => void | Promise<void>;
  /**
   * Before a player becomes a member (a seat is held meanwhile; `member.options` are `options`). Throw `new HearthError(code, text)`
   * to refuse the join with that code; any other throw refuses with `INTERNAL` (logged).
   */
  onJoin?: (room: Room<S, O>, member: RoomMember, options: RoomOptions) => void | Promise<void>;
  /** After a member left: `reason.code` is `LEFT` (asked to), `KICKED`, or the player's close code (`GRACE_EXPIRED`, ...). */
  onLeave?: (room: Room<S, O>, member: RoomMember, reason: LeaveReason) => void | Promise<void>;
  /** Once, when the room is disposed (empty past `emptyTimeout`, `room.dispose()`, node close). */
  onDispose?: (room: Room<S, O>) => void | Promise<void>;
  /**
   * Instead of `onCreate`, when the room is restored on another node from its checkpoint (its node
   * died, or drained): `room.state`, metadata, lock, tick and members are back; rebuild what the
   * checkpoint does not hold (views, caches). Throwing disposes of the room. docs/rooms.md.
   */
  onRestore?: (room: Room<S, O>) => void | Promise<void>;
}

/** The options of {@link defineRoom}. */
export interface RoomSpec<S, O> {
  /** The room kind's name (what clients join or create, e.g. `"match"`). */
  name: string;
  /** Most members at once; joins past it are refused `ROOM_FULL`. */
  maxPlayers: number;
  /** The room's state as plain serialisable data (sent whole in the join reply). */
  state?: (options: O) => S;
  /**
   * The room's state as a `@hearth/state` encoder (`(o) => new StateEncoder(World, init)`): a patch
   * after each tick that changed it, the full state in the join reply. Use this or `state`.
   */
  sync?: (options: O) => SyncedState<S>;
  /** Ticks per second of `.tick(...)`. @defaultValue 20 (when a tick handler is set) */
  tickHz?: number;
  /** Most ticks run back to back when the timer fires late; older late ticks are skipped. @defaultValue 5 */
  maxCatchUp?: number;
  /** Milliseconds an empty room lives before it is disposed; `false`: until `room.dispose()`. @defaultValue 0 */
  emptyTimeout?: number | false;
  /** Option names that `joinOrCreate` (and listings) match: a room is picked only if these equal the joiner's. */
  filterBy?: readonly string[];
  /**
   * On a node with checkpoints (a Redis backplane; docs/rooms.md, "Rooms outlive their node"): the
   * room is checkpointed every this many ticks, and on a lock, metadata, membership or phase change.
   * 0: never (the room dies with its node). @defaultValue 20
   */
  checkpointEvery?: number;
}

/** One handled message type. @internal */
export interface RoomRoute {
  readonly definition: AnyDefinition;
  readonly handler: RoomHandler<AnyDefinition, unknown, unknown>;
}

interface Spec {
  readonly room: RoomSpec<unknown, unknown>;
  readonly routes: ReadonlyMap<number, RoomRoute>;
  readonly tick: TickHandler<unknown, unknown> | undefined;
  readonly hooks: RoomHooks<unknown, unknown>;
  readonly lifecycle?: AnyStateMachine;
}

/** Defaults of {@link RoomSpec}. */
export const DEFAULT_TICK_HZ = 20;
export const DEFAULT_MAX_CATCH_UP = 5;
export const DEFAULT_CHECKPOINT_EVERY = 20;

/**
 * A room kind: its name, capacity, state, handlers, tick and hooks. Immutable: every method
 * returns a new definition. Build one with {@link defineRoom}; serve it with `createNode({ rooms })`.
 */
export class RoomDefinition<S, O> {
  readonly #spec: Spec;

  /** @internal use {@link defineRoom} */
  constructor(spec: Spec) {
    this.#spec = spec;
  }

  get name(): string {
    return this.#spec.room.name;
  }

  /** @internal */
  get spec(): RoomSpec<unknown, unknown> {
    return this.#spec.room;
  }

  /**
   * Serves `definition` (an application message, type ≥ 100) when a member addresses it to a room
   * of this kind (`room.send` on the wire). The return value is the typed reply.
   *
   * @throws HearthError `DEFINITION` when the type already has a handler or is below 100.
   */
  handle<D extends AnyDefinition>(definition: D, handler: RoomHandler<D, S, O>): RoomDefinition<S, O> {
    if (definition.type < 100) {
      throw roomError(RoomErrorCode.DEFINITION, `room "${this.name}": message type ${definition.type} is the framework's; use 100 and up`);
    }
    if (this.#spec.routes.has(definition.type)) {
      throw roomError(RoomErrorCode.DEFINITION, `room "${this.name}": message type ${definition.type} already has a handler`);
    }
    const routes = new Map(this.#spec.routes);
    routes.set(definition.type, { definition, handler: handler as unknown as RoomHandler<AnyDefinition, unknown, unknown> });
    return new RoomDefinition({ ...this.#spec, routes });
  }

  /** Sets the fixed-timestep tick (at `tickHz`, default 20). */
  tick(handler: TickHandler<S, O>): RoomDefinition<S, O> {
    return new RoomDefinition({ ...this.#spec, tick: handler as unknown as TickHandler<unknown, unknown> });
  }

  /**
   * Gives the room a statechart of its own (`waiting → playing → ended`): an xstate machine started
   * after `onCreate` with `input: { room }`, on the node's clock; `room.raise(event)` sends it events
   * and `room.phase` reads its state; reaching a final state disposes of the room.
   *
   * @example
   * .lifecycle(setup({ types: { input: {} as { room: Room }, context: {} as { room: Room } } }).createMachine({
   *   context: ({ input }) => ({ room: input.room }),
   *   initial: 'waiting',
   *   states: {
   *     waiting: { on: { full: 'playing' } },
   *     playing: { entry: ({ context }) => context.room.lock(), after: { 60_000: 'ended' } },
   *     ended: { type: 'final' },
   *   },
   * }))
   */
  lifecycle(machine: AnyStateMachine): RoomDefinition<S, O> {
    return new RoomDefinition({ ...this.#spec, lifecycle: machine });
  }

  /** @internal */
  get lifecycleMachine(): AnyStateMachine | undefined {
    return this.#spec.lifecycle;
  }

  /** Sets lifecycle hooks (merged with earlier ones). */
  hooks(hooks: RoomHooks<S, O>): RoomDefinition<S, O> {
    return new RoomDefinition({ ...this.#spec, hooks: { ...this.#spec.hooks, ...(hooks as RoomHooks<unknown, unknown>) } });
  }

  /** @internal */
  routeOf(type: number): RoomRoute | undefined {
    return this.#spec.routes.get(type);
  }

  /** @internal */
  get tickHandler(): TickHandler<unknown, unknown> | undefined {
    return this.#spec.tick;
  }

  /** @internal */
  get hooksOf(): RoomHooks<unknown, unknown> {
    return this.#spec.hooks;
  }
}

/**
 * Starts a room kind: rooms are actors that several players join (a match, a chat channel).
 *
 * @example
 * const Match = defineRoom({ name: 'match', maxPlayers: 4, tickHz: 20, state: () => ({ turn: 0 }) })
 *   .handle(Move, (room, member, { x }) => ({ ok: x >= 0 }))
 *   .tick((room, dt, tick) => { room.state.turn = tick; })
 *   .hooks({ onJoin: (room, member) => room.broadcast(Joined, { who: member.userId }) });
 * await createNode({ service, player, authenticate, rooms: [Match] });
 *
 * @throws HearthError `DEFINITION` for a bad name, `maxPlayers`, `tickHz` or both `state` and `sync`.
 */
export function defineRoom<S = Record<string, never>, O = RoomOptions>(spec: RoomSpec<S, O>): RoomDefinition<S, O> {
  const bad = (text: string): never => {
    throw roomError(RoomErrorCode.DEFINITION, `defineRoom(${JSON.stringify(spec.name)}): ${text}`);
  };
  if (typeof spec.name !== 'string' || !/^[\w.:-]{1,64}$/.test(spec.name)) bad('name must be 1-64 of [A-Za-z0-9_.:-]');
  if (!Number.isInteger(spec.maxPlayers) || spec.maxPlayers < 1) bad('maxPlayers must be an integer >= 1');
  if (spec.tickHz !== undefined && !(spec.tickHz > 0 && spec.tickHz <= 1000)) bad('tickHz must be in (0, 1000]');
  if (spec.maxCatchUp !== undefined && !(Number.isInteger(spec.maxCatchUp) && spec.maxCatchUp >= 1)) bad('maxCatchUp must be an integer >= 1');
  if (spec.emptyTimeout !== undefined && spec.emptyTimeout !== false && !(spec.emptyTimeout >= 0)) bad('emptyTimeout must be >= 0 or false');
  if (spec.state !== undefined && spec.sync !== undefined) bad('give "state" or "sync", not both');
  if (spec.checkpointEvery !== undefined && !(Number.isInteger(spec.checkpointEvery) && spec.checkpointEvery >= 0)) bad('checkpointEvery must be an integer >= 0');
  return new RoomDefinition<S, O>({
    room: { ...(spec as RoomSpec<unknown, unknown>) },
    routes: new Map(),
    tick: undefined,
    hooks: {},
  });
}
