import type { ByteWriter } from './ByteWriter.ts';

/** Bytes per slab. @defaultValue 65_536 */
const SLAB_BYTES = 65_536;

/**
 * Hands out immutable copies of encoded bytes carved from shared 64 KB slabs: one `ArrayBuffer`
 * allocation per slab instead of one per patch (bench/run.ts "x/y of 1": a fresh `slice()` per
 * tick was a third of the tick). A slab is never written twice, so a patch stays valid for as long as
 * anyone holds it (a session's resume buffer, say); the slab is freed with its last patch.
 */
export class Slab {
  #buf = new Uint8Array(0);
  #pos = 0;

  /** A copy of what `w` holds. */
  take(w: ByteWriter): Uint8Array {
    const n = w.pos;
    if (n > SLAB_BYTES / 4) return w.copy();
    if (this.#pos + n > this.#buf.length) {
      this.#buf = new Uint8Array(SLAB_BYTES);
      this.#pos = 0;
    }
    const start = this.#pos;
    const b = this.#buf;
    const src = w.buf;
    if (n < 64) for (let i = 0; i < n; i++) b[start + i] = src[i]!;
    else b.set(src.subarray(0, n), start);
    this.#pos = start + n;
    return b.subarray(start, start + n);
  }
}
