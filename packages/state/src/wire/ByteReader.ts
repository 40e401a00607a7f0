import { StateError, StateErrorCode } from '../errors.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** A bounds-checked reader: every read checks what remains, every failure is a coded `StateError`. */
export class ByteReader {
  readonly buf: Uint8Array;
  pos: number;
  readonly end: number;
  readonly #view: DataView;
  constructor(buf: Uint8Array, pos = 0) {
    this.buf = buf;
    this.pos = pos;
    this.end = buf.length;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number): void {
    if (this.end - this.pos < n) {
      throw new StateError(StateErrorCode.TRUNCATED, `need ${n} B at offset ${this.pos}, ${this.end - this.pos} B left`);
    }
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.#view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.#view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i8(): number {
    this.need(1);
    return this.#view.getInt8(this.pos++);
  }

  i16(): number {
    this.need(2);
    const v = this.#view.getInt16(this.pos, true);
    this.pos += 2;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.#view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f32(): number {
    this.need(4);
    const v = this.#view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.#view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Unsigned LEB128, at most 8 bytes, value below 2^53; the shortest form is not required. */
  varint(): number {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      v += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (v > Number.MAX_SAFE_INTEGER) break;
        return v;
      }
      scale *= 0x80;
    }
    throw new StateError(StateErrorCode.MALFORMED, `varint at offset ${this.pos} exceeds 2^53`);
  }

  svarint(): number {
    const z = this.varint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  /** A count of items that take at least one byte each: checked against what remains before any allocation. */
  count(max: number): number {
    const n = this.varint();
    if (n > this.end - this.pos) {
      throw new StateError(StateErrorCode.TOO_LARGE, `count ${n} at offset ${this.pos} exceeds the ${this.end - this.pos} B left`);
    }
    if (n > max) throw new StateError(StateErrorCode.TOO_LARGE, `count ${n} exceeds the limit ${max}`);
    return n;
  }

  string(maxBytes: number): string {
    const n = this.varint();
    if (n > maxBytes) throw new StateError(StateErrorCode.TOO_LARGE, `string of ${n} B exceeds maxStringBytes ${maxBytes}`);
    this.need(n);
    const start = this.pos;
    this.pos += n;
    let ascii = true;
    for (let i = start; i < start + n; i++) {
      if (this.buf[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii && n < 64) return String.fromCharCode.apply(null, this.buf.subarray(start, start + n) as unknown as number[]);
    try {
      return decoder.decode(this.buf.subarray(start, start + n));
    } catch (cause) {
      throw new StateError(StateErrorCode.MALFORMED, `string at offset ${start} is not valid UTF-8`, { cause });
    }
  }
}
