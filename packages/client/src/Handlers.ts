import { ErrorCode, HearthError, type AnyDefinition } from '@hearth/protocol';
import type { Connection } from './connection/Connection.ts';
import { reportListenerError } from './Emitter.ts';

type PushHandler = (payload: unknown) => void;
type RequestHandler = (payload: unknown) => unknown;

/**
 * The application's handlers of inbound messages: pushes by type (many per type) and requests
 * the server sends (one per type). A handler that throws never breaks the client.
 */
export class Handlers {
  readonly #pushes = new Map<number, Set<PushHandler>>();
  readonly #requests = new Map<number, RequestHandler>();

  /** Adds a push handler; returns its remover. */
  onPush(definition: AnyDefinition, handler: PushHandler): () => void {
    let set = this.#pushes.get(definition.type);
    if (set === undefined) this.#pushes.set(definition.type, (set = new Set()));
    set.add(handler);
    return () => void set.delete(handler);
  }

  /** Sets the request handler of a type (replacing any); returns its remover. */
  onRequest(definition: AnyDefinition, handler: RequestHandler): () => void {
    this.#requests.set(definition.type, handler);
    return () => {
      if (this.#requests.get(definition.type) === handler) this.#requests.delete(definition.type);
    };
  }

  /** Calls the handlers of a push, in the order they were added. */
  push(type: number, payload: unknown): void {
    const handlers = this.#pushes.get(type);
    if (handlers === undefined) return;
    for (const handler of [...handlers]) {
      try {
        handler(payload);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }

  /** Answers a request of the server on `connection`: the handler's reply, its coded error, or `UNKNOWN_TYPE`. */
  serve(connection: Connection, type: number, payload: unknown, rid: number): void {
    const handler = this.#requests.get(type);
    if (handler === undefined) {
      connection.write((w) => w.error(rid, ErrorCode.UNKNOWN_TYPE, `this client handles no request of type ${type}`));
      return;
    }
    void (async () => {
      try {
        const reply = await handler(payload);
        connection.write((w) => w.reply(rid, reply));
      } catch (error) {
        const code = error instanceof HearthError && error.code !== ErrorCode.CLOSED ? error.code : ErrorCode.INTERNAL;
        connection.write((w) => w.error(rid, code, error instanceof Error ? error.message : String(error)));
      }
    })();
  }
}
