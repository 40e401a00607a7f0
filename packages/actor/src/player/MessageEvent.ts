import type { AnyDefinition, Payload, Reply } from '@hearth/protocol';

/**
 * The statechart event a routed message becomes (`definePlayer(...).route('join', JoinRoom)`):
 * its payload, and for a request the means to answer it. Exactly one of `reply` / `fail` is
 * honoured; later calls are ignored. For a push both are no-ops.
 *
 * If no transition takes the event and it was not answered, the binder answers `BAD_REQUEST`;
 * if an action throws, `INTERNAL` (the actor is restored to the state before the event). An action
 * may also keep the event and answer later (after an asynchronous call); until then the client's
 * request is pending (its own timeout applies).
 */
export interface MessageEvent<K extends string, D extends AnyDefinition> {
  readonly type: K;
  readonly payload: Payload<D>;
  /** Answers the request with its typed reply. */
  reply(value: Reply<D>): void;
  /** Answers the request with a coded error (e.g. `'ROOM_FULL'`). */
  fail(code: string, text?: string): void;
}
