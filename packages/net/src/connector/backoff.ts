/** Reconnect policy of a connector. Every field is optional; see the defaults. */
export interface ReconnectOptions {
  /** Delay before the first retry, in ms. @defaultValue 100 */
  initialDelayMs?: number;
  /** Upper bound of a delay, in ms. @defaultValue 10_000 */
  maxDelayMs?: number;
  /** Growth factor per attempt. @defaultValue 2 */
  factor?: number;
  /** Random spread: a delay d becomes uniform in [d·(1−jitter), d]. 0..1. @defaultValue 0.5 */
  jitter?: number;
  /** Consecutive failed attempts before giving up (the counter resets on a successful handshake). @defaultValue Infinity */
  maxAttempts?: number;
  /** Also retry when the very first connection fails (otherwise `connect()` rejects at once). @defaultValue false */
  retryFirst?: boolean;
  /**
   * Decides whether a session closed by the peer with `code` is redialled. A close through the
   * ref or `service.close()` never is.
   * @defaultValue every code except `KICKED`
   */
  shouldReconnect?: (code: string) => boolean;
}

export const DEFAULT_RECONNECT_INITIAL_DELAY_MS = 100;
export const DEFAULT_RECONNECT_MAX_DELAY_MS = 10_000;
export const DEFAULT_RECONNECT_FACTOR = 2;
export const DEFAULT_RECONNECT_JITTER = 0.5;

/** Resolved reconnect policy (all fields set). */
export type ResolvedReconnect = Required<ReconnectOptions>;

/** Fills in the defaults of a reconnect policy (the caller's object is not touched). */
export function resolveReconnect(options: ReconnectOptions | undefined): ResolvedReconnect {
  const jitter = options?.jitter ?? DEFAULT_RECONNECT_JITTER;
  if (jitter < 0 || jitter > 1) throw new RangeError(`reconnect.jitter must be in 0..1, got ${jitter}`);
  return {
    initialDelayMs: options?.initialDelayMs ?? DEFAULT_RECONNECT_INITIAL_DELAY_MS,
    maxDelayMs: options?.maxDelayMs ?? DEFAULT_RECONNECT_MAX_DELAY_MS,
    factor: options?.factor ?? DEFAULT_RECONNECT_FACTOR,
    jitter,
    maxAttempts: options?.maxAttempts ?? Infinity,
    retryFirst: options?.retryFirst ?? false,
    shouldReconnect: options?.shouldReconnect ?? ((code) => code !== 'KICKED'),
  };
}

/**
 * The delay before retry number `attempt` (1-based): exponential, capped, then jittered down
 * ("equal jitter" when jitter is 0.5) so that many clients dropped at once do not return in step.
 */
export function backoffDelay(policy: ResolvedReconnect, attempt: number, random: () => number = Math.random): number {
  const raw = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** Math.max(0, attempt - 1));
  return Math.round(raw * (1 - policy.jitter * random()));
}
