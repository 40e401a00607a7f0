import type { LoginReply } from '@hearth/protocol';

/** Why a connection or the client ended. */
export interface CloseInfo {
  readonly code: string;
  readonly text: string;
}

/** The client's lifecycle events. */
export interface ClientEvents {
  /** A new connection is up and not resumed (the first one, or a redial before any login). */
  connected: () => void;
  /** After a drop, a new connection resumed the session; the pushes missed follow, in order. */
  resumed: (reply: LoginReply) => void;
  /** The connection dropped; the client redials unless the code is final (then `closed` follows). */
  disconnected: (info: CloseInfo) => void;
  /** The client is closed for good (by `close()`, a final code, or the retry budget ran out). */
  closed: (info: CloseInfo) => void;
}

/** Where a client is. */
export type ClientState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Options of one request. */
export interface RequestOptions {
  /** @defaultValue the client's `requestTimeoutMs` */
  timeoutMs?: number;
  /** Send again after a resume instead of failing with `DISCONNECTED`. @defaultValue the definition's `idempotent` */
  idempotent?: boolean;
}
