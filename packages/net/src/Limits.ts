import { DEFAULT_MAX_FRAME_BYTES } from '@hearth/protocol';
import { fileDescriptorLimit } from './limit/fileDescriptorLimit.ts';

/** Token-bucket rate limit of inbound messages, per session. */
export interface RateLimit {
  /** Sustained messages per second. */
  messagesPerSecond: number;
  /** Messages that may arrive at once above the sustained rate. */
  burst: number;
}

/** Token-bucket rate limit of new connections from one address. */
export interface AddressRate {
  /** Sustained new connections per second. */
  perSecond: number;
  /** New connections that may arrive at once above the sustained rate. */
  burst: number;
}

/**
 * Per-connection limits. Each one, when crossed, ends only the offending connection, with a coded
 * close (`[6, code, text]` once a session exists, a handshake error before that).
 * The defaults and why: docs/security.md, "Transport limits".
 */
export interface Limits {
  /**
   * Live connections per acceptor: handshaking ones and WebSocket upgrades in progress count; more
   * get `SERVER_FULL`. @defaultValue 10_000, or the file-descriptor limit (`ulimit -n`) minus 64 when lower
   */
  maxConnections?: number;
  /** Largest frame body, in bytes; a larger one gets `FRAME_TOO_LARGE`. @defaultValue 1_048_576 */
  maxFrameBytes?: number;
  /**
   * Largest first frame (the hello), in bytes, read before the handshake; a larger one (or more
   * bytes than that before it, on a WebSocket) gets `HANDSHAKE_FAILED`. @defaultValue 256
   */
  maxHelloBytes?: number;
  /**
   * Time from connect to a finished handshake, in ms, the WebSocket HTTP upgrade included; then
   * `HANDSHAKE_TIMEOUT` (an unfinished upgrade is destroyed). @defaultValue 10_000
   */
  handshakeTimeoutMs?: number;
  /**
   * Live connections per acceptor from one address (IPv4 address, IPv6 /64); more get
   * `TOO_MANY_CONNECTIONS`. `false` turns it off. @defaultValue 256
   */
  maxConnectionsPerAddress?: number | false;
  /**
   * New connections per acceptor from one address (IPv4 address, IPv6 /64); above it
   * `RATE_LIMITED`. `false` turns it off. @defaultValue 32/s, burst 128
   */
  handshakeRatePerAddress?: AddressRate | false;
  /** Inbound message rate (WebSocket pings and pongs count); above it `RATE_LIMITED`. `false` turns it off. @defaultValue 1000/s, burst 2000 */
  rateLimit?: RateLimit | false;
  /**
   * Bytes queued for a peer (socket buffer plus the unflushed batch); above it the reader is too
   * slow and gets `SLOW_CONSUMER`. @defaultValue 8_388_608
   */
  maxQueuedBytes?: number;
  /** How long a closing connection may take to drain before it is destroyed, in ms. @defaultValue 2_000 */
  closeTimeoutMs?: number;
}

/** {@link Limits} with every field set. */
export type ResolvedLimits = Required<Limits>;

export const DEFAULT_MAX_CONNECTIONS = 10_000;
/** File descriptors left for everything that is not a connection (logs, Redis, admin, files). */
export const RESERVED_FILE_DESCRIPTORS = 64;
export const DEFAULT_MAX_HELLO_BYTES = 256;
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 256;
export const DEFAULT_HANDSHAKE_RATE_PER_ADDRESS: AddressRate = Object.freeze({ perSecond: 32, burst: 128 });
export const DEFAULT_RATE_LIMIT: RateLimit = Object.freeze({ messagesPerSecond: 1000, burst: 2000 });
export const DEFAULT_MAX_QUEUED_BYTES = 8 << 20;
export const DEFAULT_CLOSE_TIMEOUT_MS = 2_000;

/**
 * The default `maxConnections`: {@link DEFAULT_MAX_CONNECTIONS}, or the process's file-descriptor
 * limit minus {@link RESERVED_FILE_DESCRIPTORS} when that is lower (a full server then refuses
 * with `SERVER_FULL` instead of failing `accept` with EMFILE).
 */
export function defaultMaxConnections(): number {
  const fds = fileDescriptorLimit();
  return fds === undefined ? DEFAULT_MAX_CONNECTIONS : Math.max(1, Math.min(DEFAULT_MAX_CONNECTIONS, fds - RESERVED_FILE_DESCRIPTORS));
}

/** Layers limit overrides on top of a base (neither object is modified). */
export function resolveLimits(base: Limits | undefined, override?: Limits): ResolvedLimits {
  const pick = <K extends keyof Limits>(key: K): Limits[K] => override?.[key] ?? base?.[key];
  return Object.freeze({
    maxConnections: pick('maxConnections') ?? defaultMaxConnections(),
    maxFrameBytes: pick('maxFrameBytes') ?? DEFAULT_MAX_FRAME_BYTES,
    maxHelloBytes: pick('maxHelloBytes') ?? DEFAULT_MAX_HELLO_BYTES,
    handshakeTimeoutMs: pick('handshakeTimeoutMs') ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    maxConnectionsPerAddress: pick('maxConnectionsPerAddress') ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
    handshakeRatePerAddress: pick('handshakeRatePerAddress') ?? DEFAULT_HANDSHAKE_RATE_PER_ADDRESS,
    rateLimit: pick('rateLimit') ?? DEFAULT_RATE_LIMIT,
    maxQueuedBytes: pick('maxQueuedBytes') ?? DEFAULT_MAX_QUEUED_BYTES,
    closeTimeoutMs: pick('closeTimeoutMs') ?? DEFAULT_CLOSE_TIMEOUT_MS,
  });
}
