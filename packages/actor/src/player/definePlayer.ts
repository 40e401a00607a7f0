import type { AnyDefinition, Payload, Reply } from '@hearth/protocol';
import { ErrorCode, HearthError } from '@hearth/protocol';
import type { AnyStateMachine, EventObject } from 'xstate';
import { createSessionMachine } from '../machine/sessionMachine.ts';
import type { GameRegion } from './PlayerContext.ts';
import type { MessageEvent } from './MessageEvent.ts';
import type { Player } from './Player.ts';

/**
 * A fast-path handler: runs in the actor's context without a statechart transition. Its return
 * value (or the value its promise resolves to) is the reply to a request; for a push it is ignored.
 * Throw `new HearthError(code, text)` to answer a coded error; any other throw answers `INTERNAL`.
 */
export type Handler<D extends AnyDefinition, G, E extends EventObject> = (
  player: Player<G, E>,
  payload: Payload<D>,
) => Reply<D> | Promise<Reply<D>>;

/** Why the player left (argument of the `onLeave` hook). */
export interface LeaveReason {
  /** `KICKED`, `SHUTDOWN`, `NORMAL`, `GRACE_EXPIRED`, `QUEUE_OVERFLOW`, ... */
  readonly code: string;
  readonly text: string;
}

/** Lifecycle hooks; errors they throw (or reject with) are logged with the session id. */
export interface PlayerHooks<G, E extends EventObject> {
  /**
   * After a login is admitted, before its reply is sent. `login`: what the authenticator added to the
   * login reply (its `Admission.reply`, e.g. `{ displayName }` of an account; `{}` when none).
   */
  onJoin?: (player: Player<G, E>, login: Readonly<Record<string, unknown>>) => void | Promise<void>;
  /** When an actor that was logged in closes (grace expired, kicked, closed...). */
  onLeave?: (player: Player<G, E>, reason: LeaveReason) => void | Promise<void>;
}

/** How one inbound message type is served. @internal */
export type Route =
  | { readonly definition: AnyDefinition; readonly handler: Handler<AnyDefinition, unknown, EventObject>; readonly event?: undefined }
  | { readonly definition: AnyDefinition; readonly handler?: undefined; readonly event: string };

interface Spec {
  readonly data: () => unknown;
  readonly routes: ReadonlyMap<number, Route>;
  readonly game: object | undefined;
  readonly hooks: PlayerHooks<unknown, EventObject>;
}

/**
 * The description of a game's player: its data, its message handlers and routes, its game region
 * and its hooks. Immutable: every method returns a new definition. Build one with {@link definePlayer}.
 */
export class PlayerDefinition<G, E extends EventObject = never> {
  readonly #spec: Spec;
  #machine: AnyStateMachine | undefined;

  /** @internal use {@link definePlayer} */
  constructor(spec: Spec) {
    this.#spec = spec;
  }

  /**
   * Serves `definition` on the fast path: the handler runs in the actor's context (no statechart
   * transition), for high-rate messages such as moves. Typed end to end: `payload` is the
   * definition's payload type and the return value must be its reply type.
   *
   * @throws HearthError `DEFINITION` if the type already has a handler or route.
   */
  handle<D extends AnyDefinition>(definition: D, handler: Handler<D, G, E>): PlayerDefinition<G, E> {
    return this.#with(definition, { definition, handler: handler as Handler<AnyDefinition, unknown, EventObject> });
  }

  /**
   * Routes `definition` into the statechart as event `name` (a {@link MessageEvent}), for messages
   * that change the game's state (join a room, start a match). Costs one xstate transition each.
   *
   * @throws HearthError `DEFINITION` if the type already has a handler or route.
   */
  route<K extends string, D extends AnyDefinition>(name: K, definition: D): PlayerDefinition<G, E | MessageEvent<K, D>> {
    if (name.startsWith('hearth.')) {
      throw new HearthError(ErrorCode.DEFINITION, `event name "${name}": the "hearth." prefix is reserved; pick another name`);
    }
    return this.#with(definition, { definition, event: name }) as unknown as PlayerDefinition<G, E | MessageEvent<K, D>>;
  }

  /** Declares custom statechart events (sent with `player.raise` or `holder.dispatch`), for typing only. */
  events<X extends EventObject>(): PlayerDefinition<G, E | X> {
    return this as unknown as PlayerDefinition<G, E | X>;
  }

  /** Sets the game region: xstate states inside `active`, typed with the player's context and events. */
  game(region: GameRegion<G, E>): PlayerDefinition<G, E> {
    return new PlayerDefinition<G, E>({ ...this.#spec, game: region });
  }

  /** Sets the lifecycle hooks (merged with earlier ones). */
  hooks(hooks: PlayerHooks<G, E>): PlayerDefinition<G, E> {
    return new PlayerDefinition<G, E>({
      ...this.#spec,
      hooks: { ...this.#spec.hooks, ...(hooks as PlayerHooks<unknown, EventObject>) },
    });
  }

  /** @internal the route for a wire type */
  routeOf(type: number): Route | undefined {
    return this.#spec.routes.get(type);
  }

  /** @internal */
  get hooksOf(): PlayerHooks<unknown, EventObject> {
    return this.#spec.hooks;
  }

  /** @internal a fresh data object for a new actor */
  createData(): unknown {
    return this.#spec.data();
  }

  /** The session machine with this game region (built once, on first use). */
  get machine(): AnyStateMachine {
    return (this.#machine ??= createSessionMachine(this.#spec.game));
  }

  #with(definition: AnyDefinition, route: Route): PlayerDefinition<G, E> {
    if (this.#spec.routes.has(definition.type)) {
      throw new HearthError(
        ErrorCode.DEFINITION,
        `message "${definition.name}" (type ${definition.type}) already has a handler or route; give each type one`,
      );
    }
    if (definition.type < 3) {
      throw new HearthError(ErrorCode.DEFINITION, `message type ${definition.type} is login/resume, served by the framework`);
    }
    const routes = new Map(this.#spec.routes);
    routes.set(definition.type, route);
    return new PlayerDefinition<G, E>({ ...this.#spec, routes });
  }
}

/** Options of {@link definePlayer}. */
export interface PlayerSpec<G> {
  /** Creates a new actor's game data (before login; fill it in `onJoin`). @defaultValue `() => ({})` */
  data?: () => G;
}

/**
 * Starts a player definition: the extension point of Hearth.
 *
 * @example
 * const player = definePlayer({ data: () => ({ x: 0, y: 0 }) })
 *   .handle(Move, (p, { x, y }) => { p.data.x = x; p.data.y = y; return { ok: true }; })
 *   .route('join', JoinRoom)
 *   .game({ initial: 'lobby', states: { lobby: { on: { join: { target: 'inRoom', actions: ({ event }) => event.reply({ ok: true }) } } }, inRoom: {} } });
 */
export function definePlayer<G = Record<string, never>>(spec: PlayerSpec<G> = {}): PlayerDefinition<G> {
  return new PlayerDefinition<G>({
    data: spec.data ?? (() => ({})),
    routes: new Map(),
    game: undefined,
    hooks: {},
  });
}
