/**
 * A token bucket: `ratePerSecond` tokens refill continuously up to `burst`. `take()` spends one
 * token and says whether there was one. Refill is computed lazily from a monotonic clock, so an
 * idle bucket costs nothing.
 *
 * @example
 * const bucket = new TokenBucket(100, 200);
 * if (!bucket.take()) session.close('RATE_LIMITED');
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  /**
   * @param ratePerSecond sustained tokens per second (> 0)
   * @param burst bucket size: how many tokens may be spent at once (≥ 1)
   * @param now monotonic clock in ms. @defaultValue performance.now
   */
  constructor(ratePerSecond: number, burst: number, now: () => number = () => performance.now()) {
    if (!(ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be > 0, got ${ratePerSecond}`);
    if (!(burst >= 1)) throw new RangeError(`burst must be >= 1, got ${burst}`);
    this.#rate = ratePerSecond / 1000;
    this.#burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#at = now();
  }

  /** Tokens available now (fractional). */
  get tokens(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Spends `n` tokens if available; returns false (spending nothing) otherwise. */
  take(n = 1): boolean {
    if (this.#tokens < n) {
      this.#refill();
      if (this.#tokens < n) return false;
    }
    this.#tokens -= n;
    return true;
  }

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#rate);
    this.#at = now;
  }
}
