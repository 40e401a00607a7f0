/**
 * One simulated player, the same on both stacks: it walks a fixed path (≤ 7 world units per move,
 * well under Arena's speed limit at 10 moves/s), remembers the moves in flight, and when a state
 * update shows its own position it records the delay since the move that put it there.
 */
import type { Histogram } from './Histogram.ts';

/** Moves in flight kept per player, at most (older ones are dropped unseen). */
const IN_FLIGHT = 32;

export class Player {
  x: number;
  y: number;
  #dx: number;
  #dy: number;
  nextMoveAt = 0;
  /** Positions sent and not yet seen: x, y, send time (performance.now ms), oldest first. */
  readonly #sentX: number[] = [];
  readonly #sentY: number[] = [];
  readonly #sentAt: number[] = [];

  constructor(x: number, y: number, index: number) {
    this.x = x;
    this.y = y;
    this.#dx = index % 2 === 0 ? 7 : -7;
    this.#dy = index % 3 === 0 ? 3 : -3;
  }

  /** The next position on the path (bounces off the plane's edges); remembered as sent at `now`. */
  step(now: number): { x: number; y: number } {
    if (this.x + this.#dx < 0 || this.x + this.#dx > 1000) this.#dx = -this.#dx;
    if (this.y + this.#dy < 0 || this.y + this.#dy > 1000) this.#dy = -this.#dy;
    this.x += this.#dx;
    this.y += this.#dy;
    if (this.#sentAt.length >= IN_FLIGHT) {
      this.#sentX.shift();
      this.#sentY.shift();
      this.#sentAt.shift();
    }
    this.#sentX.push(this.x);
    this.#sentY.push(this.y);
    this.#sentAt.push(now);
    return { x: this.x, y: this.y };
  }

  /** A state update shows this player at `(x, y)`: records the delay of the move that put it there. */
  seen(x: number, y: number, now: number, delays: Histogram): void {
    const xs = this.#sentX;
    for (let i = xs.length - 1; i >= 0; i--) {
      if (xs[i] === x && this.#sentY[i] === y) {
        delays.add(now - this.#sentAt[i]!);
        xs.splice(0, i + 1);
        this.#sentY.splice(0, i + 1);
        this.#sentAt.splice(0, i + 1);
        return;
      }
    }
  }
}
