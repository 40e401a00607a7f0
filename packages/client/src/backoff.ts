/** How the client redials after a dropped connection. Every field is optional. */
export interface ReconnectOptions {
  /** Redial at all. @defaultValue true */
  enabled?: boolean;
  /** Delay before the first redial, in ms. @defaultValue 100 */
  initialDelayMs?: number;
  /**
   * Upper bound of one delay, in ms. Kept small so that a client is back soon after the network
   * returns (the goal: within 1 s, p95); jitter spreads many clients. @defaultValue 1_000
   */
  maxDelayMs?: number;
  /** Growth factor per attempt. @defaultValue 2 */
  factor?: number;
  /** Random spread: a delay d becomes uniform in [d·(1−jitter), d]. 0..1. @defaultValue 0.5 */
  jitter?: number;
  /** Redials after one drop before giving up. @defaultValue Infinity (the time budget decides) */
  maxAttempts?: number;
  /**
   * Time after a drop after which the client gives up, in ms: the server's grace period (default
   * 30 s), after which a resume is refused anyway. @defaultValue 30_000
   */
  maxElapsedMs?: number;
  /** Also retry when the very first `connect()` fails (otherwise it rejects at once). @defaultValue false */
  retryFirst?: boolean;
}

/** {@link ReconnectOptions} with every default applied. */
export type ResolvedReconnect = Readonly<Required<ReconnectOptions>>;

/** Applies the defaults (the caller's object is left alone). */
export function resolveReconnect(options: ReconnectOptions | false | undefined): ResolvedReconnect {
  const o = options === false ? { enabled: false } : (options ?? {});
  const jitter = o.jitter ?? 0.5;
  if (!(jitter >= 0 && jitter <= 1)) throw new RangeError(`reconnect.jitter must be in 0..1, got ${jitter}`);
  return Object.freeze({
    enabled: o.enabled ?? true,
    initialDelayMs: o.initialDelayMs ?? 100,
    maxDelayMs: o.maxDelayMs ?? 1_000,
    factor: o.factor ?? 2,
    jitter,
    maxAttempts: o.maxAttempts ?? Infinity,
    maxElapsedMs: o.maxElapsedMs ?? 30_000,
    retryFirst: o.retryFirst ?? false,
  });
}

/**
 * The delay before redial number `attempt` (1-based): exponential, capped, then jittered down, so
 * that many clients dropped at once (a node died) do not all return in the same millisecond.
 */
export function backoffDelay(policy: ResolvedReconnect, attempt: number, random: () => number): number {
  const raw = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** Math.max(0, attempt - 1));
  return Math.round(raw * (1 - policy.jitter * random()));
}
