import type { InboundMessage } from '@hearth/protocol';
import type { SessionRef } from '../SessionRef.ts';

/** Published on `close` (and `{ close: id }`) when a session ends. */
export interface CloseEvent {
  /** The session's id. */
  readonly id: number;
  /** Close code: the one sent or received in `[6, code, text]`, or `CLOSED` when the connection dropped. */
  readonly code: string;
  readonly text: string;
  /** Who ended it: `local` (this side sent the close), `remote` (the peer did) or `lost` (the connection dropped). */
  readonly by: 'local' | 'remote' | 'lost';
}

/** Published on `error`: a failed handler, a refused handshake, a socket error. */
export interface ErrorEvent {
  /** The session concerned, when there is one. */
  readonly id?: number;
  readonly error: Error;
}

export type OpenHandler = (ref: SessionRef) => void;
export type CloseHandler = (event: CloseEvent) => void;
/**
 * Handles an inbound push or request. Returning `false` says "not mine": a request that no handler
 * took is answered `UNKNOWN_TYPE` by the session (the one place that decides it).
 */
export type MessageHandler = (ref: SessionRef, message: InboundMessage) => void | boolean;
export type ErrorHandler = (event: ErrorEvent) => void;

/** Every topic of `service.sub`. */
export type Topic = 'open' | 'close' | 'message' | 'error' | { readonly close: number } | { readonly message: number };
