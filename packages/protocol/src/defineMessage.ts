/**
 * A typed message definition: the numeric type on the wire, a name for logs and tools, and
 * (as phantom types) the payload it carries and the reply a request of it gets. Server and
 * clients import the same definitions, so handlers and sends are typed on both sides.
 */
export interface MessageDefinition<P = unknown, R = unknown> {
  /** Wire type (uint). 0–99 belong to the framework; applications use 100 and up. */
  readonly type: number;
  /** Unique name, e.g. `"arena.move"`. */
  readonly name: string;
  /** Optional runtime check of an inbound payload; a failing request is answered `BAD_REQUEST`. */
  readonly validate?: (payload: unknown) => payload is P;
  /**
   * A request that may be handled twice with the same effect (a read, or a write keyed by an id).
   * A client re-sends such a request after a resume instead of failing it with `DISCONNECTED`.
   */
  readonly idempotent?: boolean;
  /** Phantom fields: never set at run time, they carry the types. */
  readonly __payload?: P;
  readonly __reply?: R;
}

/** A definition of any payload and reply (for collections of definitions). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDefinition = MessageDefinition<any, any>;

/** The payload type of a definition. */
export type Payload<D> = D extends MessageDefinition<infer P> ? P : never;
/** The reply type of a (request) definition. */
export type Reply<D> = D extends MessageDefinition<unknown, infer R> ? R : never;

/** Options of {@link defineMessage}. */
export interface DefineMessageOptions<P> {
  /** Runtime check of inbound payloads (a type guard), e.g. generated from a schema. */
  validate?: (payload: unknown) => payload is P;
  /** See {@link MessageDefinition.idempotent}. @defaultValue false */
  idempotent?: boolean;
}

/** Lowest wire type an application may use; lower ones are the framework's. */
export const FIRST_APPLICATION_TYPE = 100;

/**
 * Defines a message. Give the payload type (and, for requests, the reply type) explicitly.
 *
 * @example
 * export const Move = defineMessage<{ x: number; y: number }>(101, 'arena.move');
 * export const Leaderboard = defineMessage<{ top: number }, { entries: Entry[] }>(102, 'arena.leaderboard');
 */
export function defineMessage<P, R = void>(
  type: number,
  name: string,
  options: DefineMessageOptions<P> = {},
): MessageDefinition<P, R> {
  if (!Number.isInteger(type) || type < 0 || type > 0xffff_ffff) {
    throw new RangeError(`message "${name}": type ${type} must be an integer in 0..2^32-1`);
  }
  const definition: MessageDefinition<P, R> = {
    type,
    name,
    ...(options.validate !== undefined && { validate: options.validate }),
    ...(options.idempotent === true && { idempotent: true }),
  };
  return Object.freeze(definition);
}
