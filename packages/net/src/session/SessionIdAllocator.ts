import { randomInt } from 'node:crypto';

/** Options of a {@link SessionIdAllocator}. */
export interface SessionIdAllocatorOptions {
  /** Id width in bits (1..32); tests use small widths to exercise wrap-around. @defaultValue 32 */
  bits?: number;
  /** Odd step between consecutive ids. @defaultValue 0x9e3779b1 (2^32 / golden ratio, odd) */
  stride?: number;
  /** First id; random when omitted so ids differ between runs of a node. */
  start?: number;
}

/** 2^32 divided by the golden ratio, rounded to odd: consecutive ids land far apart. */
export const DEFAULT_SESSION_ID_STRIDE = 0x9e3779b1;

/**
 * Allocates session ids: unique unsigned integers of `bits` bits (32 by default), never 0.
 *
 * Id n is `start + n * stride (mod 2^bits)`. The stride is odd, so the sequence is a permutation
 * of all 2^bits values: an id comes back only after 2^bits allocations (2^32 ≈ 4.3 billion by
 * default), far beyond the 2^20 required. A value still in use (`isLive`) or 0 is skipped.
 *
 * @example
 * const ids = new SessionIdAllocator();
 * const id = ids.next((candidate) => sessions.has(candidate));
 */
export class SessionIdAllocator {
  readonly #mask: number;
  readonly #modulus: number;
  readonly #stride: number;
  #current: number;

  constructor(options: SessionIdAllocatorOptions = {}) {
    const bits = options.bits ?? 32;
    if (!Number.isInteger(bits) || bits < 1 || bits > 32) throw new RangeError(`bits must be 1..32, got ${bits}`);
    this.#modulus = 2 ** bits;
    this.#mask = this.#modulus - 1;
    const stride = (options.stride ?? DEFAULT_SESSION_ID_STRIDE) % this.#modulus;
    if (stride % 2 === 0) throw new RangeError(`stride must be odd (so every id is visited), got ${stride}`);
    this.#stride = stride;
    this.#current = (options.start ?? randomInt(0, 2 ** 31) * 2) % this.#modulus;
  }

  /**
   * The next id that is not 0 and for which `isLive` is false.
   * @throws {RangeError} when every id is live (only possible with a tiny `bits`).
   */
  next(isLive?: (id: number) => boolean): number {
    for (let tries = 0; tries <= this.#mask; tries++) {
      // Plain doubles stay exact below 2^53, so (current + stride) mod 2^bits needs no bit tricks.
      this.#current = (this.#current + this.#stride) % this.#modulus;
      const id = this.#current;
      if (id !== 0 && (isLive === undefined || !isLive(id))) return id;
    }
    throw new RangeError(`all ${this.#mask} session ids are in use`);
  }
}
