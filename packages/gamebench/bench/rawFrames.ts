/**
 * The raw floor's wire format (bench only): a frame is a 4-byte big-endian body length, then a
 * msgpack body. `FrameReader` cuts a socket's byte stream into bodies, refusing any body longer
 * than its bound (the caller ends the socket). `frame` prefixes one body.
 */

export const HEADER = 4;

/** One frame: the length prefix, then `body` (copied once). */
export function frame(body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER + body.length);
  out.writeUInt32BE(body.length, 0);
  out.set(body, HEADER);
  return out;
}

/** Cuts frames from a byte stream; bodies are views valid only during the callback. */
export class FrameReader {
  readonly #maxBody: number;
  #pending: Buffer | undefined;

  constructor(maxBody: number) {
    this.#maxBody = maxBody;
  }

  /** Feeds a chunk; calls `onBody` per complete frame. False (stop reading) on an oversized frame. */
  push(chunk: Buffer, onBody: (body: Buffer) => void): boolean {
    const buf = this.#pending === undefined ? chunk : Buffer.concat([this.#pending, chunk]);
    this.#pending = undefined;
    let at = 0;
    while (buf.length - at >= HEADER) {
      const len = buf.readUInt32BE(at);
      if (len > this.#maxBody) return false;
      if (buf.length - at - HEADER < len) break;
      onBody(buf.subarray(at + HEADER, at + HEADER + len));
      at += HEADER + len;
    }
    if (at < buf.length) this.#pending = Buffer.from(buf.subarray(at));
    return true;
  }
}
