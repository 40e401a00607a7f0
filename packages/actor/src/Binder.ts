import type { InboundMessage } from '@hearth/protocol';
import { ErrorCode, HearthError, Kind, Login, Resume } from '@hearth/protocol';
import type { EventObject } from 'xstate';
import { holderInternals, type Holder, type HolderInternals } from './Holder.ts';
import { requestLogin } from './player/loginRequest.ts';
import type { PlayerActor } from './player/PlayerActor.ts';
import { routeToStatechart } from './player/routedMessage.ts';
import type { ServiceHandle, SessionHandle } from './transport.ts';

/** Counters of the binder (for metrics). */
export interface BinderStats {
  /** Messages routed to an actor (fast path or statechart). */
  routed: number;
  /** Requests of a type with no handler or route, answered `UNKNOWN_TYPE`. */
  unknownRequests: number;
  /** Pushes of a type with no handler or route, dropped. */
  droppedPushes: number;
  /** Messages before login other than login/resume (requests answered `UNAUTHENTICATED`). */
  unauthenticated: number;
  /** Payloads the definition's `validate` rejected (requests answered `BAD_REQUEST`). */
  invalid: number;
  /** Handlers that threw or rejected with a non-coded error (answered `INTERNAL`). */
  failures: number;
}

/**
 * Routes each session's inbound messages to its actor: a new session gets an actor from the
 * holder, a closed one tells it, and every push or request is served by the definition's route
 * for its type — a fast-path handler run directly against the actor, or a statechart event.
 *
 * - unknown request type → `UNKNOWN_TYPE` reply, the session stays; unknown push → dropped, counted;
 * - anything but `login`/`resume` before login → `UNAUTHENTICATED` (requests) or dropped (pushes);
 * - a handler that throws → `INTERNAL` reply (a thrown `HearthError` → its code), logged with the
 *   session id; the actor carries on.
 */
export class Binder<G = unknown, E extends EventObject = EventObject> {
  readonly stats: BinderStats = { routed: 0, unknownRequests: 0, droppedPushes: 0, unauthenticated: 0, invalid: 0, failures: 0 };
  readonly #holder: HolderInternals;
  readonly #unsubscribe: (() => void)[];
  readonly #rejected: (what: string, value: unknown) => void;

  constructor(service: ServiceHandle, holder: Holder<G, E>) {
    const internals = (this.#holder = holderInternals(holder));
    this.#rejected = internals.rejectedWireId;
    this.#unsubscribe = [
      service.sub('open', (ref) => internals.spawn(ref)),
      service.sub('close', (event) => internals.sessionClosed(event.id, event.code)),
      // The node's one message subscriber: net calls it directly (TopicBus), and answers
      // UNKNOWN_TYPE to a request it returns false for.
      service.sub('message', (ref, msg) => this.route(ref, msg)),
    ];
  }

  /**
   * Serves one inbound message (public for tests and custom transports). Returns false for a
   * request of a type with no handler or route: the transport answers it `UNKNOWN_TYPE`.
   */
  route(ref: SessionHandle, msg: InboundMessage): boolean {
    const player = this.#holder.atSession(ref.id);
    if (player === undefined) {
      if (msg.kind === Kind.REQUEST) ref.replyError(msg.rid, ErrorCode.CLOSED, 'no actor for this session');
      return true;
    }
    if (player.phase !== 'active') {
      this.#beforeLogin(player, ref, msg);
      return true;
    }
    const route = this.#holder.definition.routeOf(msg.type);
    if (route === undefined) return this.#unknown(ref, msg);
    const validate = route.definition.validate;
    if (validate !== undefined && !validate(msg.payload)) {
      this.stats.invalid++;
      if (msg.kind === Kind.REQUEST) {
        ref.replyError(msg.rid, ErrorCode.BAD_REQUEST, `payload of "${route.definition.name}" failed validation`);
      }
      return true;
    }
    this.stats.routed++;
    if (route.handler === undefined) {
      routeToStatechart(player, route.event, ref, msg);
      return true;
    }
    // Fast path: the handler runs against the actor, no statechart transition (see bench/run.ts).
    let result: unknown;
    try {
      result = route.handler(player, msg.payload);
    } catch (err) {
      this.#failed(player, ref, msg, err);
      return true;
    }
    if (result instanceof Promise) {
      // A push's promise is awaited too: a rejection nobody handles would end the process.
      result.then(
        (value: unknown) => {
          if (msg.kind === Kind.REQUEST) ref.reply(msg.rid, value === undefined ? null : value);
        },
        (err: unknown) => this.#failed(player, ref, msg, err),
      );
    } else if (msg.kind === Kind.REQUEST) {
      ref.reply(msg.rid, result === undefined ? null : result);
    }
    return true;
  }

  /** Stops routing (the holder and its actors stay). Idempotent. */
  close(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
  }

  #beforeLogin(player: PlayerActor, ref: SessionHandle, msg: InboundMessage): void {
    if (msg.kind === Kind.REQUEST && player.phase === 'awaitingLogin') {
      const type = msg.type === Login.type ? 'login' : msg.type === Resume.type ? 'resume' : undefined;
      if (type !== undefined) {
        if (!requestLogin(player, ref, type, msg.payload, msg.rid, this.#rejected)) {
          ref.replyError(msg.rid, ErrorCode.BAD_REQUEST, 'a login is already in progress');
        }
        return;
      }
    }
    this.stats.unauthenticated++;
    if (msg.kind === Kind.REQUEST) ref.replyError(msg.rid, ErrorCode.UNAUTHENTICATED, 'log in first (login, type 1)');
  }

  /** A message of a type with no handler or route: false for a request (the transport answers `UNKNOWN_TYPE`). */
  #unknown(ref: SessionHandle, msg: InboundMessage): boolean {
    if (msg.kind !== Kind.REQUEST) {
      this.stats.droppedPushes++;
      return true;
    }
    this.stats.unknownRequests++;
    if (msg.type !== Login.type && msg.type !== Resume.type) return false;
    ref.replyError(msg.rid, ErrorCode.BAD_REQUEST, 'already logged in');
    return true;
  }

  #failed(player: PlayerActor, ref: SessionHandle, msg: InboundMessage, err: unknown): void {
    if (err instanceof HearthError) {
      if (msg.kind === Kind.REQUEST) ref.replyError(msg.rid, err.code, err.message);
      return;
    }
    this.stats.failures++;
    player.log.error({ err, type: msg.type }, 'message handler threw; answered INTERNAL');
    if (msg.kind === Kind.REQUEST) ref.replyError(msg.rid, ErrorCode.INTERNAL, 'the server failed to handle this message');
  }
}
