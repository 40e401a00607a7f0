/**
 * Where the actor layer reads the time and sets its timers: the holder's timer queues (login,
 * heartbeat check, grace), the xstate delays of every player actor (`after`), and the token
 * lifetime. The default is the system clock; tests inject a `ManualClock`
 * (`@hearth/actor/testing`) so that nothing they assert depends on wall-clock timing.
 */
export interface Clock {
  /**
   * Milliseconds since the epoch, in the transport's domain (`Date.now()`, which `@hearth/net`
   * stamps `lastInboundAt` with). Used for ages: token lifetime, heartbeat idle time.
   */
  now(): number;
  /** A monotonic millisecond counter (any origin): timer due times are kept in it. */
  monotonic(): number;
  /** Calls `fn` once after `ms` milliseconds; returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock: `Date.now`, `performance.now` and the global timers. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (fn: () => void, ms: number): unknown => setTimeout(fn, ms),
  clearTimeout: (handle: unknown): void => clearTimeout(handle as NodeJS.Timeout),
});
