import type { AnyDefinition, Payload, Reply } from '@hearth/protocol';
import type { SessionInfo } from './SessionInfo.ts';

/** Options of {@link SessionRef.request}. */
export interface RequestOptions {
  /** Ms to wait for the reply before rejecting with `TIMEOUT`. @defaultValue the service's `requestTimeoutMs` (10_000) */
  timeout?: number;
}

/**
 * The only handle others hold on a session. It holds the id, not the session: once the session is
 * gone every call fails cleanly (`false`, `undefined`, or a promise rejected with HearthError
 * `CLOSED`) and nothing throws into the caller's event loop.
 *
 * @example
 * service.sub({ message: Hello.type }, (ref, msg) => {
 *   ref.send(Welcome, { text: 'hi' });
 * });
 */
export interface SessionRef {
  /** The session id (unique over the node's lifetime). */
  readonly id: number;
  /** True while the session is open (handshake done, no close begun). */
  readonly alive: boolean;
  /** A snapshot of the session; `undefined` when it is gone. Times are `Date.now()` ms. */
  info(): SessionInfo | undefined;
  /**
   * `Date.now()` at the last inbound traffic (-1 once closed): the one field a heartbeat reads,
   * without building a {@link SessionInfo}.
   */
  readonly lastInboundAt: number;
  /** Bytes received so far (-1 once closed): tells new traffic from old within one millisecond. */
  readonly bytesIn: number;
  /** Queues a push; flushed once per event-loop turn. Returns false (never throws) when the session is gone. */
  send<D extends AnyDefinition>(definition: D, payload: Payload<D>): boolean;
  /**
   * Sends a request and resolves with the reply.
   * Rejects with HearthError: `CLOSED` (gone, or closed meanwhile), `TIMEOUT`, or the peer's error-reply code.
   */
  request<D extends AnyDefinition>(definition: D, payload: Payload<D>, options?: RequestOptions): Promise<Reply<D>>;
  /** Answers request `rid`. False when the session is gone. */
  reply(rid: number, payload: unknown): boolean;
  /** Answers request `rid` with an error. False when the session is gone. */
  replyError(rid: number, code: string, text: string): boolean;
  /** Appends already-encoded message bytes (one or more message values): encode once, send to many. */
  sendEncoded(bytes: Uint8Array, count?: number): boolean;
  /** Sends a ping `[4, t]` (the peer's net answers with a pong). @defaultValue t = Date.now() */
  ping(t?: number): boolean;
  /** Sends `[6, code, text]` after what is queued, flushes and closes. Idempotent; a no-op when gone. */
  close(code: string, text?: string): void;
}
