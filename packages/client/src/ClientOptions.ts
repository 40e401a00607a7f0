import { DEFAULT_MAX_FRAME_BYTES, type CryptoProvider } from '@hearth/protocol';
import { resolveReconnect, type ReconnectOptions, type ResolvedReconnect } from './backoff.ts';
import { systemClock, type Clock } from './clock.ts';
import { ClientErrorCode } from './errors.ts';
import { HearthError } from '@hearth/protocol';
import type { TlsOptions, Transport } from './transport/Transport.ts';

/** Options of a {@link HearthClient}. Only `url` and (secure) `serverKey` are needed. */
export interface ClientOptions {
  /**
   * `ws://`, `wss://` (browsers and Node), `tcp://` or `tls://` (Node) address of the server, or several
   * (the nodes of a cluster): the first is dialled first, and a failed dial moves to the next, so
   * a client whose node died resumes on another one.
   */
  url: string | URL | readonly (string | URL)[];
  /** Wire protocol the server endpoint speaks. @defaultValue "msgpack+nacl" */
  protocol?: 'msgpack+nacl' | 'msgpack';
  /**
   * The server's Ed25519 signing public key (32 bytes, or 64 hex digits), printed by the server at
   * start-up and written to `.hearth/server.key.pub`. A welcome it did not sign is refused.
   */
  serverKey?: Uint8Array | string;
  /** Accept a secure server without a pinned key (encrypted, but open to a man in the middle). @defaultValue false */
  allowUnpinned?: boolean;
  /** Crypto implementation. @defaultValue libsodium in Node (`@hearth/protocol/node`), tweetnacl elsewhere */
  provider?: CryptoProvider;
  /** Transport. @defaultValue WebSocket for ws/wss, TCP (Node) for tcp */
  transport?: Transport;
  /** Default timeout of a request, in ms. @defaultValue 10_000 */
  requestTimeoutMs?: number;
  /** Time allowed to connect and finish the handshake, in ms. @defaultValue 10_000 */
  handshakeTimeoutMs?: number;
  /** Send a ping after this long without sending anything, in ms. @defaultValue 5_000 */
  pingIntervalMs?: number;
  /**
   * Treat the connection as dead (half-open) after this long without receiving anything, in ms,
   * and redial. The server answers pings, so a live connection is never silent this long.
   * @defaultValue 15_000
   */
  heartbeatTimeoutMs?: number;
  /** Largest body accepted from the server, in bytes. @defaultValue 1_048_576 */
  maxFrameBytes?: number;
  /**
   * A resume token kept from an earlier session (e.g. in `sessionStorage` across a page reload):
   * `connect()` then resumes that session instead of needing a login, and rejects with
   * `RESUME_REFUSED` when it is gone (log in on a new client). @defaultValue none
   */
  resumeToken?: string;
  /** Redial policy, or `false` to never redial. */
  reconnect?: ReconnectOptions | false;
  /** Time source of every timer (tests inject their own). @defaultValue the system clock */
  clock?: Clock;
  /** Random numbers in [0, 1) for the backoff jitter (tests inject their own). @defaultValue Math.random */
  random?: () => number;
  /**
   * TLS trust in Node for `tls://` (TLS over TCP) and `wss://`: e.g. `{ ca: pemOfASelfSignedCert }`.
   * Browsers use their own trust store. @defaultValue Node's default certificate authorities
   */
  tls?: TlsOptions;
  /** Traffic counters to add to (share one object among many clients to total them). @defaultValue a new one */
  stats?: TrafficStats;
}

/** Traffic of a client (or of all the clients sharing the object), across its connections. */
export interface TrafficStats {
  /** Messages received (every kind, pings and pongs included). */
  messagesIn: number;
  /** Messages sent. */
  messagesOut: number;
  /** Body bytes received (sealed size; without TCP frame headers). */
  bytesIn: number;
  /** Body bytes sent. */
  bytesOut: number;
}

/** {@link ClientOptions} checked, with defaults applied. */
export interface ResolvedClientOptions {
  readonly urls: readonly URL[];
  readonly secure: boolean;
  readonly serverKey: Uint8Array | undefined;
  readonly provider: CryptoProvider | undefined;
  readonly transport: Transport | undefined;
  readonly requestTimeoutMs: number;
  readonly handshakeTimeoutMs: number;
  readonly pingIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly maxFrameBytes: number;
  readonly reconnect: ResolvedReconnect;
  readonly clock: Clock;
  readonly random: () => number;
  readonly stats: TrafficStats;
  readonly tls: TlsOptions | undefined;
  readonly resumeToken: string | undefined;
}

/**
 * Checks and completes the options (the caller's object is left alone).
 * @throws {HearthError} `USAGE` on a bad URL or key, or a secure client with no pinned key.
 */
export function resolveClientOptions(o: ClientOptions): ResolvedClientOptions {
  const given = typeof o.url === 'string' || o.url instanceof URL ? [o.url] : o.url;
  if (given.length === 0) throw new HearthError(ClientErrorCode.USAGE, 'url: give at least one server address');
  const urls = given.map((u) => {
    try {
      return new URL(u);
    } catch (cause) {
      throw new HearthError(ClientErrorCode.USAGE, `bad url "${String(u)}": use ws://host:port, wss://host/path or tcp://host:port`, { cause });
    }
  });
  const secure = (o.protocol ?? 'msgpack+nacl') === 'msgpack+nacl';
  const serverKey = o.serverKey === undefined ? undefined : parseKey(o.serverKey);
  if (secure && serverKey === undefined && o.allowUnpinned !== true) {
    throw new HearthError(
      ClientErrorCode.USAGE,
      'msgpack+nacl needs the server\'s public key: pass serverKey (64 hex digits from .hearth/server.key.pub), or allowUnpinned: true to skip the check',
    );
  }
  return {
    urls,
    secure,
    serverKey,
    provider: o.provider,
    transport: o.transport,
    requestTimeoutMs: o.requestTimeoutMs ?? 10_000,
    handshakeTimeoutMs: o.handshakeTimeoutMs ?? 10_000,
    pingIntervalMs: o.pingIntervalMs ?? 5_000,
    heartbeatTimeoutMs: o.heartbeatTimeoutMs ?? 15_000,
    maxFrameBytes: o.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    reconnect: resolveReconnect(o.reconnect),
    clock: o.clock ?? systemClock,
    random: o.random ?? Math.random,
    stats: o.stats ?? { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 },
    tls: o.tls,
    resumeToken: o.resumeToken,
  };
}

function parseKey(key: Uint8Array | string): Uint8Array {
  if (typeof key !== 'string') {
    if (key.length !== 32) throw new HearthError(ClientErrorCode.USAGE, `serverKey must be 32 bytes, got ${key.length}`);
    return key.slice();
  }
  const hex = key.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new HearthError(ClientErrorCode.USAGE, `serverKey must be 64 hex digits (the server's Ed25519 public key), got ${hex.length} characters`);
  }
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
