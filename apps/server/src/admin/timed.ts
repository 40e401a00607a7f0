/** Called with a handler's time, in seconds, by message name (the admin latency histogram). */
export interface ObserveTime {
  (type: string, seconds: number): void;
  /**
   * The recorder of one type, in milliseconds, resolved once when a handler is wrapped: what
   * {@link timed} uses when present (no lookup by name per message; see `RequestTimes`).
   */
  readonly recorder?: (type: string) => (ms: number) => void;
}

/**
 * `handler`, timed into `observe` under `type` (a thrown or rejected handling counts too: its time
 * was spent); `handler` itself when there is nothing to observe. A promise is timed to its settling.
 * The type's recorder is resolved here, once; a synchronous handling allocates nothing for the
 * timing (the per-message cost: bench/requestTimes.ts).
 */
export function timed<A extends unknown[], R>(observe: ObserveTime | undefined, type: string, handler: (...args: A) => R): (...args: A) => R {
  if (observe === undefined) return handler;
  const record = observe.recorder?.(type) ?? ((ms: number) => observe(type, ms / 1000));
  return (...args: A): R => {
    const t0 = performance.now();
    let out: R;
    try {
      out = handler(...args);
    } catch (err) {
      record(performance.now() - t0);
      throw err;
    }
    if (out instanceof Promise) {
      const done = () => record(performance.now() - t0);
      void out.then(done, done);
    } else record(performance.now() - t0);
    return out;
  };
}
