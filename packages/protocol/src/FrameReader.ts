import { heapAllocator, type ByteAllocator } from './ByteAllocator.ts';
import { ErrorCode, HearthError } from './errors.ts';
import { DEFAULT_MAX_FRAME_BYTES } from './frameWriter.ts';

/** Options of a {@link FrameReader}. */
export interface FrameReaderOptions {
  /** Largest accepted frame body, in bytes. @defaultValue 1_048_576 (1 MiB) */
  maxFrameBytes?: number;
  /** Where bodies split across chunks are assembled. @defaultValue plain allocations */
  allocator?: ByteAllocator;
}

/**
 * Incremental reader of TCP frames (u32 big-endian length L, then L body bytes, 1 ≤ L ≤ max).
 * Any chunking of a byte stream yields the same bodies. A body that lies whole inside a chunk is
 * passed on as a view of that chunk (no copy); only a body split across chunks is copied, into a
 * buffer from the allocator that goes back to it after the callback.
 *
 * @example
 * const reader = new FrameReader({ maxFrameBytes: 65_536 });
 * socket.on('data', (chunk) => reader.push(chunk, (body) => handle(body)));
 */
export class FrameReader {
  readonly #max: number;
  readonly #allocator: ByteAllocator;
  /** Header bytes gathered so far when a header is split (0 when none). */
  #headerHave = 0;
  #headerValue = 0;
  /** The body being assembled across chunks, its length and how much of it has arrived. */
  #body: Uint8Array | undefined;
  #bodyLength = 0;
  #bodyHave = 0;
  #failure: HearthError | undefined;

  constructor(options: FrameReaderOptions = {}) {
    this.#max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.#allocator = options.allocator ?? heapAllocator;
  }

  /** Bytes held for a frame that is not complete yet. */
  get pending(): number {
    return this.#body === undefined ? this.#headerHave : 4 + this.#bodyHave;
  }

  /**
   * Feeds one chunk; calls `onFrame` once per complete body, in order. A body view is valid only
   * during its callback: copy it to keep it. `assembled` is true for a body copied together from
   * several chunks (its buffer goes back to the allocator after the callback), false for a view of
   * `chunk` (a caller needs no closure over `chunk` to tell them apart).
   * @throws {HearthError} `FRAME_EMPTY` or `FRAME_TOO_LARGE`; the reader then stays failed and
   * reads nothing more (the connection must be closed).
   */
  push(chunk: Uint8Array, onFrame: (body: Uint8Array, assembled: boolean) => void): void {
    if (this.#failure !== undefined) throw this.#failure;
    let at = 0;
    const end = chunk.length;
    if (this.#headerHave > 0 || this.#body !== undefined) {
      at = this.#continue(chunk, onFrame);
      if (at < 0) return;
    }
    // Fast path: whole frames inside this chunk are handed out as views.
    while (end - at >= 4) {
      const length = ((chunk[at]! << 24) | (chunk[at + 1]! << 16) | (chunk[at + 2]! << 8) | chunk[at + 3]!) >>> 0;
      this.#check(length);
      const start = at + 4;
      if (end - start >= length) {
        at = start + length;
        onFrame(chunk.subarray(start, at), false);
      } else {
        this.#startBody(length, chunk, start);
        return;
      }
    }
    while (at < end) this.#headerByte(chunk[at++]!);
  }

  /** Returns the reader's buffer to the allocator; the reader must not be used again. */
  dispose(): void {
    this.#releaseBody();
    this.#failure ??= new HearthError(ErrorCode.CLOSED, 'FrameReader was disposed; create a new one per connection');
  }

  /** Completes a split header or body; returns where the fast path resumes, or -1 if the chunk is used up. */
  #continue(chunk: Uint8Array, onFrame: (body: Uint8Array, assembled: boolean) => void): number {
    let at = 0;
    while (this.#body === undefined) {
      if (at === chunk.length) return -1;
      this.#headerByte(chunk[at++]!); // a completed header starts the body (or throws)
    }
    const take = Math.min(this.#bodyLength - this.#bodyHave, chunk.length - at);
    this.#body.set(chunk.subarray(at, at + take), this.#bodyHave);
    this.#bodyHave += take;
    at += take;
    if (this.#bodyHave < this.#bodyLength) return -1;
    const body = this.#body;
    const length = this.#bodyLength;
    this.#body = undefined;
    try {
      onFrame(body.subarray(0, length), true);
    } finally {
      this.#allocator.release(body);
    }
    return at;
  }

  #headerByte(byte: number): void {
    this.#headerValue = ((this.#headerValue << 8) | byte) >>> 0;
    if (++this.#headerHave < 4) return;
    const length = this.#headerValue;
    this.#headerHave = 0;
    this.#headerValue = 0;
    this.#check(length);
    this.#startBody(length, undefined, 0);
  }

  #startBody(length: number, chunk: Uint8Array | undefined, from: number): void {
    this.#body = this.#allocator.alloc(length);
    this.#bodyLength = length;
    this.#bodyHave = 0;
    if (chunk !== undefined && from < chunk.length) {
      this.#body.set(chunk.subarray(from), 0);
      this.#bodyHave = chunk.length - from;
    }
  }

  #check(length: number): void {
    if (length === 0) {
      this.#fail(new HearthError(ErrorCode.FRAME_EMPTY, 'frame length 0: every frame body has at least 1 byte'));
    } else if (length > this.#max) {
      this.#fail(
        new HearthError(
          ErrorCode.FRAME_TOO_LARGE,
          `frame of ${length} B exceeds maxFrameBytes ${this.#max}; send smaller messages or raise "maxFrameBytes"`,
        ),
      );
    }
  }

  #fail(error: HearthError): never {
    this.#failure = error;
    this.#releaseBody();
    throw error;
  }

  #releaseBody(): void {
    if (this.#body !== undefined) this.#allocator.release(this.#body);
    this.#body = undefined;
  }
}
