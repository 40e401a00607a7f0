/** Timing of a player actor's lifecycle. All values in milliseconds. */
export interface PlayerTimeouts {
  /** Time allowed between the session opening and a successful login or resume. @defaultValue 10_000 */
  loginTimeout?: number;
  /**
   * No inbound body (any message, including a ping) for this long closes the connection with
   * `HEARTBEAT_TIMEOUT`; half of it makes the heartbeat region `suspect` and the server pings.
   * @defaultValue 15_000
   */
  heartbeatTimeout?: number;
  /** How long an actor outlives its dropped connection, waiting for a `resume`. 0 disables grace. @defaultValue 30_000 */
  grace?: number;
  /** Pushes queued for a player in grace; one more ends the grace (the actor closes). @defaultValue 256 */
  queueLimit?: number;
  /**
   * Absolute lifetime of a resume token, counted from the login that started the session: a resume
   * rotates the token but does not extend it. Past it, a resume is refused (`UNAUTHENTICATED`, log
   * in again) even within the grace period, so a token stolen from a long session stops working.
   * @defaultValue 86_400_000 (24 h)
   */
  tokenLifetime?: number;
}

/** @see PlayerTimeouts.loginTimeout */
export const DEFAULT_LOGIN_TIMEOUT = 10_000;
/** @see PlayerTimeouts.heartbeatTimeout */
export const DEFAULT_HEARTBEAT_TIMEOUT = 15_000;
/** @see PlayerTimeouts.grace */
export const DEFAULT_GRACE = 30_000;
/** @see PlayerTimeouts.queueLimit */
export const DEFAULT_QUEUE_LIMIT = 256;
/** @see PlayerTimeouts.tokenLifetime */
export const DEFAULT_TOKEN_LIFETIME = 86_400_000;

/** {@link PlayerTimeouts} with every default applied (one frozen object shared by all actors of a holder). */
export interface ResolvedTimeouts {
  readonly loginTimeout: number;
  readonly heartbeatTimeout: number;
  /** heartbeatTimeout / 2: idle time after which the heartbeat region is `suspect`. */
  readonly suspectAfter: number;
  /** heartbeatTimeout / 5: period of the actor's heartbeat check (so a dead link is closed at most 20 % late). */
  readonly heartbeatCheck: number;
  readonly grace: number;
  readonly queueLimit: number;
  readonly tokenLifetime: number;
}

/** Applies defaults once and validates; the caller's object is left alone. */
export function resolveTimeouts(options: PlayerTimeouts = {}): ResolvedTimeouts {
  const heartbeatTimeout = options.heartbeatTimeout ?? DEFAULT_HEARTBEAT_TIMEOUT;
  const resolved = {
    loginTimeout: options.loginTimeout ?? DEFAULT_LOGIN_TIMEOUT,
    heartbeatTimeout,
    suspectAfter: heartbeatTimeout / 2,
    heartbeatCheck: Math.max(1, Math.floor(heartbeatTimeout / 5)),
    grace: options.grace ?? DEFAULT_GRACE,
    queueLimit: options.queueLimit ?? DEFAULT_QUEUE_LIMIT,
    tokenLifetime: options.tokenLifetime ?? DEFAULT_TOKEN_LIFETIME,
  };
  for (const [key, value] of Object.entries(resolved)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`player option "${key}" is ${value}; give a finite number >= 0 (milliseconds or a count)`);
    }
  }
  return Object.freeze(resolved);
}
