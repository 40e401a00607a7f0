import type { InboundMessage } from '@hearth/protocol';
import { ErrorCode, HearthError, Kind, Login, Resume } from '@hearth/protocol';
import type { EventObject } from 'xstate';
import { holderInternals, type Holder, type HolderInternals } from './Holder.ts';
import { requestLogin } from './player/loginFlow.ts';
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
      service.sub('message', (ref, msg) => this.route(ref, msg)),
    ];
  }

  /** Serves one inbound message (public for tests and custom transports). */
  route(ref: SessionHandle, msg: InboundMessage): void {
    const player = this.#holder.atSession(ref.id);
    if (player === undefined) {
      if (msg.kind === Kind.REQUEST) ref.replyError(msg.rid, ErrorCode.CLOSED, 'no actor for this session');
      return;
    }
    if (player.phase !== 'active') {
      this.#beforeLogin(player, ref, msg);
      return;
    }
    const route = this.#holder.definition.routeOf(msg.type);
    if (route === undefined) {
      this.#unknown(ref, msg);
      return;
    }
    const validate = route.definition.validate;
    if (validate !== undefined && !validate(msg.payload)) {
      this.stats.invalid++;
      if (msg.kind === Kind.REQUEST) {
        ref.replyError(msg.rid, ErrorCode.BAD_REQUEST, `payload of "${route.definition.name}" failed validation`);
      }
      return;
    }
    this.stats.routed++;
    if (route.handler === undefined) {
      routeToStatechart(player, route.event, ref, msg);
      return;
    }
    // Fast path: the handler runs against the actor, no statechart transition (see bench/run.ts).
    let result: unknown;
    try {
      result = route.handler(player, msg.payload);
    } catch (err) {
      this.#failed(player, ref, msg, err);
      return;
    }
    if (msg.kind !== Kind.REQUEST) return;
    if (result instanceof Promise) {
      result.then(
        (value: unknown) => ref.reply(msg.rid, value === undefined ? null : value),
        (err: unknown) => this.#failed(player, ref, msg, err),
      );
    } else {
      ref.reply(msg.rid, result === undefined ? null : result);
    }
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

  #unknown(ref: SessionHandle, msg: InboundMessage): void {
    if (msg.kind === Kind.REQUEST) {
      this.stats.unknownRequests++;
      const text =
        msg.type === Login.type || msg.type === Resume.type ? 'already logged in' : `no handler for message type ${msg.type}`;
      ref.replyError(msg.rid, msg.type === Login.type || msg.type === Resume.type ? ErrorCode.BAD_REQUEST : ErrorCode.UNKNOWN_TYPE, text);
    } else {
      this.stats.droppedPushes++;
    }
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
