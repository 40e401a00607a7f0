import { Encoder } from '@msgpack/msgpack';
import { FRAME_HEADER_BYTES, writeFrameHeader } from './frameWriter.ts';
import { ErrorCode, HearthError } from './errors.ts';
import { Kind } from './message.ts';

/** Options of a {@link BatchWriter}. */
export interface BatchWriterOptions {
  /** Initial buffer size in bytes; it doubles as needed and is reused. @defaultValue 4096 */
  initialBytes?: number;
}

/**
 * Encodes messages back to back into one reused buffer: a batch is one body on the wire.
 * Four bytes are kept free in front of the batch so {@link BatchWriter.takeFramed} can add the
 * TCP frame header without a copy. Array headers and integers are written directly; only payloads
 * and strings go through the (reused) msgpack encoder.
 *
 * @example
 * const w = new BatchWriter();
 * w.push(Move.type, { x: 1, y: 2 });
 * w.request(Leaderboard.type, { top: 10 }, 7);
 * socket.write(w.takeFramed());
 */
export class BatchWriter {
  #buf: Uint8Array;
  #pos = FRAME_HEADER_BYTES;
  #count = 0;
  readonly #encoder = new Encoder({ initialBufferSize: 1024 });

  constructor(options: BatchWriterOptions = {}) {
    this.#buf = new Uint8Array(Math.max(64, options.initialBytes ?? 4096));
  }

  /** Body bytes queued. */
  get byteLength(): number {
    return this.#pos - FRAME_HEADER_BYTES;
  }

  /** Messages queued. */
  get count(): number {
    return this.#count;
  }

  /** `[0, type, payload]` */
  push(type: number, payload: unknown): void {
    const start = this.#pos;
    try {
      this.#head(3, Kind.PUSH);
      this.#uint(type);
      this.#value(payload);
    } catch (error) {
      this.#pos = start; // drop the partial message: the batch stays well formed
      throw error;
    }
    this.#count++;
  }

  /** `[1, type, payload, rid]` */
  request(type: number, payload: unknown, rid: number): void {
    const start = this.#pos;
    try {
      this.#head(4, Kind.REQUEST);
      this.#uint(type);
      this.#value(payload);
      this.#uint(rid);
    } catch (error) {
      this.#pos = start; // drop the partial message: the batch stays well formed
      throw error;
    }
    this.#count++;
  }

  /** `[2, rid, payload]` */
  reply(rid: number, payload: unknown): void {
    const start = this.#pos;
    try {
      this.#head(3, Kind.REPLY);
      this.#uint(rid);
      this.#value(payload);
    } catch (error) {
      this.#pos = start; // drop the partial message: the batch stays well formed
      throw error;
    }
    this.#count++;
  }

  /** `[3, rid, code, text]` */
  error(rid: number, code: string, text: string): void {
    const start = this.#pos;
    try {
      this.#head(4, Kind.ERROR);
      this.#uint(rid);
      this.#value(code);
      this.#value(text);
    } catch (error) {
      this.#pos = start; // drop the partial message: the batch stays well formed
      throw error;
    }
    this.#count++;
  }

  /** `[4, t]` */
  ping(t: number): void {
    this.#head(2, Kind.PING);
    this.#clock(t);
    this.#count++;
  }

  /** `[5, t]` */
  pong(t: number): void {
    this.#head(2, Kind.PONG);
    this.#clock(t);
    this.#count++;
  }

  /** `[6, code, text]` */
  close(code: string, text: string): void {
    const start = this.#pos;
    try {
      this.#head(3, Kind.CLOSE);
      this.#value(code);
      this.#value(text);
    } catch (error) {
      this.#pos = start; // drop the partial message: the batch stays well formed
      throw error;
    }
    this.#count++;
  }

  /**
   * Appends bytes that already hold one or more encoded messages (from {@link encodeMessage}):
   * a broadcast encodes once and appends to every member's batch.
   * @param count how many messages `bytes` holds, for {@link BatchWriter.count}. @defaultValue 1
   */
  appendEncoded(bytes: Uint8Array, count = 1): void {
    this.#ensure(bytes.length);
    this.#buf.set(bytes, this.#pos);
    this.#pos += bytes.length;
    this.#count += count;
  }

  /** The queued batch (body only) as a view valid until the next write; resets the writer. */
  take(): Uint8Array {
    const body = this.#buf.subarray(FRAME_HEADER_BYTES, this.#pos);
    this.#reset();
    return body;
  }

  /** The queued batch preceded by its TCP frame header, as a view valid until the next write; resets the writer. */
  takeFramed(): Uint8Array {
    writeFrameHeader(this.#buf, 0, this.#pos - FRAME_HEADER_BYTES);
    const frame = this.#buf.subarray(0, this.#pos);
    this.#reset();
    return frame;
  }

  /** Drops what is queued. */
  clear(): void {
    this.#reset();
  }

  #reset(): void {
    this.#pos = FRAME_HEADER_BYTES;
    this.#count = 0;
  }

  #head(length: number, kind: number): void {
    this.#ensure(2);
    this.#buf[this.#pos++] = 0x90 | length; // fixarray
    this.#buf[this.#pos++] = kind; // positive fixint
  }

  #uint(n: number): void {
    if (!(Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff)) {
      // A type or rid must be a uint32 on the wire; refuse here rather than send a malformed message.
      throw new HearthError(ErrorCode.BAD_REQUEST, `message type/rid ${String(n)} is not a uint32; pass a definition from defineMessage`);
    }
    this.#ensure(5);
    const b = this.#buf;
    if (n < 0x80) {
      b[this.#pos++] = n;
    } else if (n < 0x100) {
      b[this.#pos++] = 0xcc;
      b[this.#pos++] = n;
    } else if (n < 0x10000) {
      b[this.#pos++] = 0xcd;
      b[this.#pos++] = n >>> 8;
      b[this.#pos++] = n & 0xff;
    } else {
      b[this.#pos++] = 0xce;
      b[this.#pos++] = n >>> 24;
      b[this.#pos++] = (n >>> 16) & 0xff;
      b[this.#pos++] = (n >>> 8) & 0xff;
      b[this.#pos++] = n & 0xff;
    }
  }

  /** A clock in ms may pass 2^32 (Date.now()): msgpack picks the width. */
  #clock(t: number): void {
    if (t >= 0 && t <= 0xffff_ffff) this.#uint(t);
    else this.#value(t);
  }

  #value(value: unknown): void {
    const bytes = this.#encoder.encodeSharedRef(value);
    this.#ensure(bytes.length);
    this.#buf.set(bytes, this.#pos);
    this.#pos += bytes.length;
  }

  #ensure(extra: number): void {
    const need = this.#pos + extra;
    if (need <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < need) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#buf.subarray(0, this.#pos));
    this.#buf = grown;
  }
}
