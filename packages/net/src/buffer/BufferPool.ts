import type { ByteAllocator } from '@hearth/protocol';

/** Options of a {@link BufferPool}. */
export interface BufferPoolOptions {
  /** Smallest buffer handed out, in bytes (a power of two). @defaultValue 1024 */
  minBytes?: number;
  /** Largest buffer the pool keeps; bigger requests are allocated and dropped on release. @defaultValue 1_048_576 */
  maxPooledBytes?: number;
  /** Total bytes kept idle in the pool; releases above it are dropped for the GC. @defaultValue 8_388_608 */
  highWaterBytes?: number;
}

/** Counters of a {@link BufferPool}. */
export interface BufferPoolStats {
  /** Bytes held idle in the pool. */
  idleBytes: number;
  /** Buffers handed out and not returned yet. */
  outstanding: number;
  /** `alloc` calls served from the pool. */
  hits: number;
  /** `alloc` calls that allocated. */
  misses: number;
  /** Releases dropped because the pool was above its high-water mark (or the buffer was foreign). */
  dropped: number;
}

export const DEFAULT_POOL_MIN_BYTES = 1024;
export const DEFAULT_POOL_MAX_POOLED_BYTES = 1 << 20;
export const DEFAULT_POOL_HIGH_WATER_BYTES = 8 << 20;

/**
 * A pool of power-of-two byte buffers, one free list per size class. It is the
 * {@link ByteAllocator} the frame readers of a service assemble split inbound frames in. Memory is
 * bounded: the idle bytes never exceed the high-water mark (releases above it are left to the GC),
 * and buffers above `maxPooledBytes` are never kept.
 *
 * @example
 * const pool = new BufferPool({ highWaterBytes: 4 << 20 });
 * const buf = pool.alloc(3000); // 4096 bytes
 * pool.release(buf);
 */
export class BufferPool implements ByteAllocator {
  readonly #minBytes: number;
  readonly #maxPooled: number;
  readonly #highWater: number;
  /** Free lists indexed by log2(size). */
  readonly #free: Uint8Array[][] = [];
  /** Buffers lent to the application (views of them escaped): never reused. */
  readonly #retained = new WeakSet<ArrayBufferLike>();
  #idleBytes = 0;
  #outstanding = 0;
  #hits = 0;
  #misses = 0;
  #dropped = 0;

  constructor(options: BufferPoolOptions = {}) {
    this.#minBytes = nextPowerOfTwo(options.minBytes ?? DEFAULT_POOL_MIN_BYTES);
    this.#maxPooled = options.maxPooledBytes ?? DEFAULT_POOL_MAX_POOLED_BYTES;
    this.#highWater = options.highWaterBytes ?? DEFAULT_POOL_HIGH_WATER_BYTES;
  }

  /** A buffer of the power-of-two size at or above `minBytes` (contents unspecified). */
  alloc(minBytes: number): Uint8Array {
    const size = Math.max(this.#minBytes, nextPowerOfTwo(minBytes));
    this.#outstanding++;
    const list = this.#free[Math.log2(size)];
    const buf = list?.pop();
    if (buf !== undefined) {
      this.#idleBytes -= buf.length;
      this.#hits++;
      return buf;
    }
    this.#misses++;
    // Not zero-filled: the reader overwrites what it hands out. Zeroing was 6.8% of the 1 KB echo
    // profile (a split frame of a retained buffer is a miss every time; packages/actor/bench/profile.ts).
    return new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size);
  }

  /**
   * Marks the buffer under `view` as lent out for good (decoded values are views of it): its
   * {@link BufferPool.release} then drops it instead of reusing it.
   */
  retain(view: Uint8Array): void {
    this.#retained.add(view.buffer);
  }

  /** Returns a buffer from {@link BufferPool.alloc}; kept only below the high-water mark. */
  release(buf: Uint8Array): void {
    this.#outstanding--;
    const size = buf.length;
    if (this.#retained.has(buf.buffer)) {
      this.#retained.delete(buf.buffer);
      this.#dropped++;
      return;
    }
    // Views (subarrays) and odd sizes are foreign: keeping them would hand out aliased memory.
    if (
      size > this.#maxPooled ||
      size < this.#minBytes ||
      (size & (size - 1)) !== 0 ||
      buf.byteOffset !== 0 ||
      buf.buffer.byteLength !== size ||
      this.#idleBytes + size > this.#highWater
    ) {
      this.#dropped++;
      return;
    }
    const index = Math.log2(size);
    (this.#free[index] ??= []).push(buf);
    this.#idleBytes += size;
  }

  /** Drops every idle buffer. */
  trim(): void {
    this.#free.length = 0;
    this.#idleBytes = 0;
  }

  /** Current counters. */
  stats(): BufferPoolStats {
    return {
      idleBytes: this.#idleBytes,
      outstanding: this.#outstanding,
      hits: this.#hits,
      misses: this.#misses,
      dropped: this.#dropped,
    };
  }
}

/** The smallest power of two ≥ `n` (1 for n ≤ 1). */
export function nextPowerOfTwo(n: number): number {
  if (n <= 1) return 1;
  return 2 ** Math.ceil(Math.log2(n));
}
