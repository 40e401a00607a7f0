import type { Logger } from 'pino';
import type { BufferPoolOptions } from './buffer/BufferPool.ts';
import type { ReconnectOptions } from './connector/backoff.ts';
import type { Limits } from './Limits.ts';
import type { ProtocolRegistry } from './protocol/ProtocolRegistry.ts';
import type { SessionIdAllocatorOptions } from './session/SessionIdAllocator.ts';

/** Options of a {@link Service}. All optional; the caller's object is never modified. */
export interface ServiceOptions {
  /**
   * A pino logger to take component children of, or `false` for none.
   * @defaultValue a pino logger to stdout at `HEARTH_NET_LOG_LEVEL` (info); off when `HEARTH_NET_LOG=0`
   */
  logger?: Logger | false;
  /** `false` switches network logging off (as `HEARTH_NET_LOG=0` does). @defaultValue true */
  log?: boolean;
  /** Default limits of every acceptor (and connector, except `rateLimit`). */
  limits?: Limits;
  /** Protocols by name. @defaultValue a registry with `msgpack` and `msgpack+nacl` */
  protocols?: ProtocolRegistry;
  /** The inbound buffer pool. */
  pool?: BufferPoolOptions;
  /** The session id allocator (tests shrink it). */
  ids?: SessionIdAllocatorOptions;
  /** Default request timeout, in ms. @defaultValue 10_000 */
  requestTimeoutMs?: number;
}

/** Options of `service.accept`. */
export interface AcceptOptions {
  /** The server's long-term nacl signing secret key (64 bytes), for `msgpack+nacl`. @defaultValue a fresh key pair per acceptor */
  signingSecretKey?: Uint8Array;
  /** Limits of this acceptor's connections, over the service's. */
  limits?: Limits;
  /**
   * Serve TLS: TCP frames over TLS (`tls://` for clients) or WebSocket over HTTPS (`wss://`). PEM
   * certificate (chain) and private key. A connection counts against the limits from its TCP
   * accept (a refused one is destroyed before any TLS work), and its TLS handshake is bounded by
   * `handshakeTimeoutMs` from then. @defaultValue no TLS
   */
  tls?: TlsCredentials;
}

/** A server's TLS certificate (chain) and private key, PEM. */
export interface TlsCredentials {
  cert: string | Uint8Array;
  key: string | Uint8Array;
}

/** Options of `service.connect`. */
export interface ConnectOptions {
  /** The server's public signing key (32 bytes) to pin, for `msgpack+nacl`. @defaultValue not pinned */
  serverSigningKey?: Uint8Array;
  /** Reconnect policy, or `false` for one connection only. @defaultValue the defaults of {@link ReconnectOptions} */
  reconnect?: ReconnectOptions | false;
  /**
   * Limits of the dialled sessions, over the service's. A client applies no inbound rate limit
   * unless `rateLimit` is given here.
   */
  limits?: Limits;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
