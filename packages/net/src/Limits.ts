import { DEFAULT_MAX_FRAME_BYTES } from '@hearth/protocol';

/** Token-bucket rate limit of inbound messages, per session. */
export interface RateLimit {
  /** Sustained messages per second. */
  messagesPerSecond: number;
  /** Messages that may arrive at once above the sustained rate. */
  burst: number;
}

/**
 * Per-connection limits. Each one, when crossed, ends only the offending connection, with a coded
 * close (`[6, code, text]` once a session exists, a handshake error before that).
 */
export interface Limits {
  /** Live connections per acceptor (handshaking ones count); more get `SERVER_FULL`. @defaultValue 10_000 */
  maxConnections?: number;
  /** Largest frame body, in bytes; a larger one gets `FRAME_TOO_LARGE`. @defaultValue 1_048_576 */
  maxFrameBytes?: number;
  /** Time from connect to a finished handshake, in ms; then `HANDSHAKE_TIMEOUT`. @defaultValue 10_000 */
  handshakeTimeoutMs?: number;
  /** Inbound message rate; above it `RATE_LIMITED`. `false` turns it off. @defaultValue 1000/s, burst 2000 */
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
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
export const DEFAULT_RATE_LIMIT: RateLimit = Object.freeze({ messagesPerSecond: 1000, burst: 2000 });
export const DEFAULT_MAX_QUEUED_BYTES = 8 << 20;
export const DEFAULT_CLOSE_TIMEOUT_MS = 2_000;

/** Layers limit overrides on top of a base (neither object is modified). */
export function resolveLimits(base: Limits | undefined, override?: Limits): ResolvedLimits {
  const pick = <K extends keyof Limits>(key: K): Limits[K] => override?.[key] ?? base?.[key];
  return Object.freeze({
    maxConnections: pick('maxConnections') ?? DEFAULT_MAX_CONNECTIONS,
    maxFrameBytes: pick('maxFrameBytes') ?? DEFAULT_MAX_FRAME_BYTES,
    handshakeTimeoutMs: pick('handshakeTimeoutMs') ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    rateLimit: pick('rateLimit') ?? DEFAULT_RATE_LIMIT,
    maxQueuedBytes: pick('maxQueuedBytes') ?? DEFAULT_MAX_QUEUED_BYTES,
    closeTimeoutMs: pick('closeTimeoutMs') ?? DEFAULT_CLOSE_TIMEOUT_MS,
  });
}
