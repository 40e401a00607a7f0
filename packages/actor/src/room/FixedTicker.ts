import type { Clock } from '../time/Clock.ts';

/**
 * Tick `n` of a room is due at `origin + n · 1000 / tickHz` on the clock's monotonic time; its
 * handler always gets the same `dt` (`1000 / tickHz` ms): a fixed timestep, so a room's logic is
 * a function of its inputs and tick numbers, not of the machine's speed.
 *
 * **Late ticks.** When the timer fires late (a busy event loop, a paused process) and several
 * ticks are due, up to `maxCatchUp` of them run back to back (the oldest first); the older ones
 * beyond that are skipped: they never run, their numbers are not reused (tick numbers stay tied to
 * time), and `skipped` counts them. A room that cannot keep up therefore slows its world down
 * instead of spiralling into ever longer catch-up bursts.
 */
export class FixedTicker {
  /** Ticks run so far. */
  ran = 0;
  /** Ticks skipped because they were more than `maxCatchUp` late. */
  skipped = 0;
  readonly #clock: Clock;
  readonly #hz: number;
  readonly #maxCatchUp: number;
  readonly #run: (dt: number, tick: number) => void;
  readonly #afterBurst: () => void;
  readonly #origin: number;
  /** Slots consumed (run or skipped): the next tick is number `#next`. */
  #next = 1;
  #timer: unknown;
  #stopped = false;

  /** `firstTick` > 1 resumes a restored room's numbering: that tick is due one step from now. */
  constructor(clock: Clock, hz: number, maxCatchUp: number, run: (dt: number, tick: number) => void, afterBurst: () => void, firstTick = 1) {
    this.#clock = clock;
    this.#hz = hz;
    this.#maxCatchUp = maxCatchUp;
    this.#run = run;
    this.#afterBurst = afterBurst;
    this.#next = firstTick;
    this.#origin = clock.monotonic() - ((firstTick - 1) * 1000) / hz;
    this.#schedule();
  }

  /** The fixed step, in milliseconds. */
  get dt(): number {
    return 1000 / this.#hz;
  }

  /** Number of the last tick that ran (0 before the first). */
  get tick(): number {
    return this.#next - 1;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #slot(n: number): number {
    return this.#origin + (n * 1000) / this.#hz;
  }

  #schedule(): void {
    if (this.#stopped) return;
    const delay = Math.max(0, this.#slot(this.#next) - this.#clock.monotonic());
    this.#timer = this.#clock.setTimeout(() => this.#fire(), delay);
  }

  #fire(): void {
    this.#timer = undefined;
    if (this.#stopped) return;
    const plan = planTicks(this.#clock.monotonic() - this.#origin, this.#next, this.#hz, this.#maxCatchUp);
    this.skipped += plan.skip;
    this.#next += plan.skip;
    const dt = this.dt;
    try {
      for (let i = 0; i < plan.run && !this.#stopped; i++) {
        const tick = this.#next++;
        this.ran++;
        this.#run(dt, tick);
      }
      if (plan.run > 0 && !this.#stopped) this.#afterBurst();
    } finally {
      this.#schedule();
    }
  }
}

/**
 * Which ticks to run when the timer fires `elapsed` ms after the origin with tick `next` the first
 * not yet run: `skip` late ticks first, then `run` ticks (at most `maxCatchUp`). Pure, for tests.
 */
export function planTicks(elapsed: number, next: number, hz: number, maxCatchUp: number): { run: number; skip: number } {
  // The small epsilon absorbs float error in origin + n·1000/hz (30 Hz is not a whole number of ms).
  const due = Math.floor((elapsed * hz) / 1000 + 1e-6) - next + 1;
  if (due <= 0) return { run: 0, skip: 0 };
  const run = Math.min(due, Math.max(1, maxCatchUp));
  return { run, skip: due - run };
}
