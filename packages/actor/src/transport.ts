import type { AnyDefinition, InboundMessage, Payload } from '@hearth/protocol';

/*
 * The part of `@hearth/net` the actor layer uses, written structurally so that the layer depends
 * on the contract, not on the transport's classes (net's `Service` and `SessionRef` satisfy it).
 */

/** What the actor layer needs of a session handle (`SessionRef` in `@hearth/net`). */
export interface SessionHandle {
  readonly id: number;
  readonly alive: boolean;
  /** `lastInboundAt` in `Date.now()` ms; `bytesIn` (when given) tells new traffic from old in the same millisecond. */
  info(): { readonly lastInboundAt: number; readonly remoteAddress: string; readonly bytesIn?: number } | undefined;
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
  sub(topic: 'message', handler: (ref: SessionHandle, message: InboundMessage) => void): () => void;
}
