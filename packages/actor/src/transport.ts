import type { AnyDefinition, InboundMessage, Payload } from '@hearth/protocol';

/*
 * The part of `@hearth/net` the actor layer uses, written structurally so that the layer depends
 * on the contract, not on the transport's classes (net's `Service` and `SessionRef` satisfy it).
 */

/** What the actor layer needs of a session handle (`SessionRef` in `@hearth/net`). */
export interface SessionHandle {
  readonly id: number;
  readonly alive: boolean;
  /** `Date.now()` at the last inbound traffic; -1 once the session is gone. Read by every heartbeat check (no allocation). */
  readonly lastInboundAt: number;
  /** Bytes received so far (-1 once gone): tells new traffic from old within one millisecond. */
  readonly bytesIn: number;
  /** The peer's address (admin views, the authenticator's context); undefined once gone. */
  info(): { readonly remoteAddress: string } | undefined;
  send<D extends AnyDefinition>(definition: D, payload: Payload<D>): boolean;
  reply(rid: number, payload: unknown): boolean;
  replyError(rid: number, code: string, text: string): boolean;
  sendEncoded(bytes: Uint8Array, count?: number): boolean;
  ping(t?: number): boolean;
  close(code: string, text?: string): void;
}

/** Published when a session ends (`CloseEvent` in `@hearth/net`). */
export interface SessionClosed {
  readonly id: number;
  readonly code: string;
  readonly text: string;
}

/** What the actor layer needs of the node's transport hub (`Service` in `@hearth/net`). */
export interface ServiceHandle {
  sub(topic: 'open', handler: (ref: SessionHandle) => void): () => void;
  sub(topic: 'close', handler: (event: SessionClosed) => void): () => void;
  /** A handler returning `false` did not take the message: a request nobody took is answered `UNKNOWN_TYPE` by the transport. */
  sub(topic: 'message', handler: (ref: SessionHandle, message: InboundMessage) => void | boolean): () => void;
}
