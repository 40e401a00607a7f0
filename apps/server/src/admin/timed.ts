/** Called with a handler's time, in seconds, by message name (the admin latency histogram). */
export type ObserveTime = (type: string, seconds: number) => void;

/**
 * `handler`, timed into `observe` under `type` (a thrown or rejected handling counts too: its time
 * was spent); `handler` itself when there is nothing to observe. A promise is timed to its settling.
 */
export function timed<A extends unknown[], R>(observe: ObserveTime | undefined, type: string, handler: (...args: A) => R): (...args: A) => R {
  if (observe === undefined) return handler;
  return (...args: A): R => {
    const t0 = performance.now();
    const done = () => observe(type, (performance.now() - t0) / 1000);
    let out: R;
    try {
      out = handler(...args);
    } catch (err) {
      done();
      throw err;
    }
    if (out instanceof Promise) void out.then(done, done);
    else done();
    return out;
  };
}
