/**
 * Stable error codes. Each value is also the string sent on the wire in error replies
 * (`[3, rid, code, text]`), close messages (`[6, code, text]`) and handshake failures
 * (`["error", code, text]`), so a client in any language can switch on it.
 */
export const ErrorCode = {
  /** A TCP frame announced more than `maxFrameBytes`. */
  FRAME_TOO_LARGE: 'FRAME_TOO_LARGE',
  /** A TCP frame announced a length of 0. */
  FRAME_EMPTY: 'FRAME_EMPTY',
  /** A body that is not a well-formed batch of message arrays, or a WebSocket text message. */
  PROTOCOL_ERROR: 'PROTOCOL_ERROR',
  /** An encrypted body failed to open (tampered, replayed, dropped or reordered). */
  BAD_MAC: 'BAD_MAC',
  /** The handshake was malformed, of the wrong mode, or its signature did not verify. */
  HANDSHAKE_FAILED: 'HANDSHAKE_FAILED',
  /** The peer speaks a protocol version this side does not. */
  VERSION_UNSUPPORTED: 'VERSION_UNSUPPORTED',
  /** The handshake did not complete in time. */
  HANDSHAKE_TIMEOUT: 'HANDSHAKE_TIMEOUT',
  /** The server is at its connection limit. */
  SERVER_FULL: 'SERVER_FULL',
  /** The session sent faster than its rate limit, or its address opened connections faster than allowed. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The peer's address has as many live connections as the server allows one address. */
  TOO_MANY_CONNECTIONS: 'TOO_MANY_CONNECTIONS',
  /** The session read slower than it was sent to; its send queue passed its cap. */
  SLOW_CONSUMER: 'SLOW_CONSUMER',
  /** A request of a type the receiver has not registered. */
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  /** A request whose payload the receiver rejected. */
  BAD_REQUEST: 'BAD_REQUEST',
  /** A request other than login/resume before login succeeded. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** No reply arrived within the request's timeout. */
  TIMEOUT: 'TIMEOUT',
  /** The receiver's handler failed; the session carries on. */
  INTERNAL: 'INTERNAL',
  /** A newer login of the same user replaced this session. */
  KICKED: 'KICKED',
  /** The server is shutting down. */
  SHUTDOWN: 'SHUTDOWN',
  /** No inbound body within the idle timeout. */
  HEARTBEAT_TIMEOUT: 'HEARTBEAT_TIMEOUT',
  /** No successful login within the login timeout. */
  LOGIN_TIMEOUT: 'LOGIN_TIMEOUT',
  /** The session (or ref) is closed; nothing can be sent on it. */
  CLOSED: 'CLOSED',
  /** Closed by the application with no more specific reason. */
  NORMAL: 'NORMAL',
  /** A message definition or registry was misused (duplicate id or name, reserved id). */
  DEFINITION: 'DEFINITION',
  /** A field or value is larger than its documented limit (storage objects, names, tokens). */
  TOO_LARGE: 'TOO_LARGE',
  /** A write-if-version lost: the stored object's version is not the one the writer read. */
  STORAGE_CONFLICT: 'STORAGE_CONFLICT',
  /** The database could not be reached or failed; nothing was changed, the request may be retried. */
  STORAGE_UNAVAILABLE: 'STORAGE_UNAVAILABLE',
  /** A unique thing (username, email, device id) is already taken. */
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  // Leave reasons (a player's `onLeave` hook, logs): why a player actor ended on the server. Local:
  // its connection was already gone (or is a new one), so no client receives them.
  /** The connection dropped and no resume came within the grace period. */
  GRACE_EXPIRED: 'GRACE_EXPIRED',
  /** More pushes were queued for a player in grace than `queueLimit`. */
  QUEUE_OVERFLOW: 'QUEUE_OVERFLOW',
  /** A not-yet-logged-in actor whose connection resumed another player (the connection lives on there). */
  HANDED_OFF: 'HANDED_OFF',
  /** The player resumed on another node (this node's copy ends without the leave hook). */
  RESUMED_ELSEWHERE: 'RESUMED_ELSEWHERE',
  /** A half-open connection replaced by a resume on a new one (the player lives on). */
  REPLACED: 'REPLACED',
  /** A player claimed from another node whose resume token was past its lifetime. */
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
} as const;
/** One of the stable codes in {@link ErrorCode}. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The one error class of Hearth. `code` is stable (see {@link ErrorCode}); peers may send codes
 * this side does not know, so it is typed as a string that includes every known code.
 *
 * @example
 * if (err instanceof HearthError && err.code === ErrorCode.TIMEOUT) retry();
 */
export class HearthError extends Error {
  override name = 'HearthError';
  readonly code: ErrorCode | (string & {});
  constructor(code: ErrorCode | (string & {}), message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
