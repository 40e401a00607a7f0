import type { Clock } from '../time/Clock.ts';

interface Timer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

/**
 * A {@link Clock} that moves only when told: `advance(ms)` runs every timer that falls due within
 * `ms`, in due order (ties in the order they were set), with `now()` at each timer's due time.
 * Give it to a holder or node (`clock`) and a test controls the login timeout, heartbeat checks,
 * grace, xstate `after` delays and token lifetime without waiting on (or racing) wall time.
 *
 * `now()` starts at the wall time of construction, so ages computed against the transport's
 * `lastInboundAt` (wall time) stay meaningful: the actor layer sees traffic as fresh when it
 * arrives, and silence grows only as the test advances this clock.
 *
 * @example
 * const clock = new ManualClock();
 * const node = await createNode({ ..., clock });
 * clock.advance(10_000); // the login timer fires now, synchronously
 */
export class ManualClock implements Clock {
  readonly #origin: number;
  #elapsed = 0;
  #nextId = 1;
  #timers: Timer[] = [];

  constructor(origin = Date.now()) {
    this.#origin = origin;
  }

  now(): number {
    return this.#origin + this.#elapsed;
  }

  monotonic(): number {
    return this.#elapsed;
  }

  /** Timers set and not yet fired or cleared. */
  get pending(): number {
    return this.#timers.length;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer: Timer = { id: this.#nextId++, due: this.#elapsed + Math.max(0, ms), fn };
    // Insert after every timer due at or before it: ties fire in the order they were set.
    let at = this.#timers.length;
    while (at > 0 && this.#timers[at - 1]!.due > timer.due) at--;
    this.#timers.splice(at, 0, timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    const at = this.#timers.findIndex((t) => t.id === handle);
    if (at >= 0) this.#timers.splice(at, 1);
  }

  /** Moves the clock forward by `ms`, running each timer that falls due on the way (also ones set meanwhile). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`advance(${ms}): give a duration >= 0`);
    const end = this.#elapsed + ms;
    for (;;) {
      const next = this.#timers[0];
      if (next === undefined || next.due > end) break;
      this.#timers.shift();
      this.#elapsed = Math.max(this.#elapsed, next.due);
      next.fn();
    }
    this.#elapsed = end;
  }
}
