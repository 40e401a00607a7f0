/**
 * A growable little-endian writer, reused between encodes (`reset()` keeps the buffer).
 * Grows x2, so a tick's patches cost no allocation once the buffer is warm.
 */
export class ByteWriter {
  buf: Uint8Array;
  pos = 0;
  #view: DataView;
  constructor(initial = 1024) {
    this.buf = new Uint8Array(initial);
    this.#view = new DataView(this.buf.buffer);
  }

  reset(): void {
    this.pos = 0;
  }

  /** A copy of the bytes written since `from`. */
  copy(from = 0): Uint8Array {
    return this.buf.slice(from, this.pos);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.#view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.#view.setUint16(this.pos, v, true);
    this.pos += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.#view.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  i8(v: number): void {
    this.u8(v & 0xff);
  }

  i16(v: number): void {
    this.u16(v & 0xffff);
  }

  i32(v: number): void {
    this.u32(v >>> 0);
  }

  f32(v: number): void {
    this.ensure(4);
    this.#view.setFloat32(this.pos, v, true);
    this.pos += 4;
  }

  f64(v: number): void {
    this.ensure(8);
    this.#view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** Unsigned LEB128 of an integer in [0, 2^53). */
  varint(v: number): void {
    this.ensure(8);
    const b = this.buf;
    if (v < 0x80) {
      b[this.pos++] = v;
      return;
    }
    while (v >= 0x80) {
      b[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    b[this.pos++] = v;
  }

  /** Zigzag then LEB128, for a safe integer. */
  svarint(v: number): void {
    this.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  string(s: string): void {
    // ASCII fast path: one byte per char, no TextEncoder call (the common case for keys and names).
    const n = s.length;
    if (n < 0x80) {
      this.ensure(n + 1);
      const b = this.buf;
      const start = this.pos;
      let p = start + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[p++] = c;
      }
      if (i === n) {
        b[start] = n;
        this.pos = p;
        return;
      }
    }
    const bytes = encoder.encode(s);
    this.varint(bytes.length);
    this.bytes(bytes);
  }

  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  /** Copies `buf[start, end)` of another buffer; short runs by hand (cheaper than `set` below ~16 B). */
  range(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.ensure(n);
    if (n < 16) {
      const b = this.buf;
      let p = this.pos;
      for (let i = start; i < end; i++) b[p++] = src[i]!;
      this.pos = p;
    } else {
      this.buf.set(src.subarray(start, end), this.pos);
      this.pos += n;
    }
  }
}

const encoder = new TextEncoder();
