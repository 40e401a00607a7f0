/** A position at a server time (ms, from the room's tick counter; `-Infinity`: known since joining). */
export interface Sample {
  readonly t: number;
  readonly x: number;
  readonly y: number;
}

/**
 * The position at time `t` from samples in time order: linear between the two samples around `t`,
 * held at the ends (no extrapolation: a player who stopped stays put). Undefined without samples.
 */
export function positionAt(samples: readonly Sample[], t: number): { x: number; y: number } | undefined {
  const n = samples.length;
  if (n === 0) return undefined;
  const first = samples[0]!;
  if (t <= first.t) return { x: first.x, y: first.y };
  const last = samples[n - 1]!;
  if (t >= last.t) return { x: last.x, y: last.y };
  let hi = n - 1;
  while (hi > 0 && samples[hi - 1]!.t > t) hi--;
  const a = samples[hi - 1]!;
  const b = samples[hi]!;
  if (a.t === -Infinity) return { x: a.x, y: a.y }; // known since "always" (joined): still until b
  const f = b.t === a.t ? 1 : (t - a.t) / (b.t - a.t);
  return { x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f };
}

/**
 * The real time between a room's ticks, measured from snapshot arrivals: a room's ticks run
 * slower than their nominal rate when the server is busy (measured up to ~40 % here), so samples
 * are stamped with their local arrival time and drawn {@link TickRate.delay} behind it. Snapshots
 * that arrive together (one read) are counted as one gap over all their ticks.
 */
export class TickRate {
  #ms: number;
  #nominal: number;
  #lastTick: number | undefined;
  #lastAt = 0;
  /** Weight of a new gap. */
  static readonly ALPHA = 0.1;

  constructor(hz = 20) {
    this.#nominal = this.#ms = 1000 / hz;
  }

  /** Ms between ticks, as measured (never below the nominal rate). */
  get ms(): number {
    return Math.max(this.#nominal, this.#ms);
  }

  setHz(hz: number): void {
    this.#nominal = this.#ms = 1000 / hz;
  }

  /** Snapshot of `tick` arrived at local time `now`. */
  observe(tick: number, now: number): void {
    const ticks = this.#lastTick === undefined ? 0 : tick - this.#lastTick;
    if (this.#lastTick !== undefined && now - this.#lastAt < 1) return; // same read: wait for the next gap
    const gap = (now - this.#lastAt) / ticks;
    // A pause (nothing changed for a while, no snapshot sent) is not a slow tick.
    if (ticks >= 1 && ticks <= 5 && gap < 4 * this.ms) this.#ms += (gap - this.#ms) * TickRate.ALPHA;
    this.#lastTick = tick;
    this.#lastAt = now;
  }

  reset(): void {
    this.#lastTick = undefined;
  }
}
