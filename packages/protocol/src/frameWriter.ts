/** Bytes of the TCP frame header: a u32 big-endian body length. */
export const FRAME_HEADER_BYTES = 4;

/** Default and recommended largest frame body, in bytes (1 MiB). */
export const DEFAULT_MAX_FRAME_BYTES = 1 << 20;

/** Writes the 4-byte big-endian length header for a body of `length` bytes at `target[at]`. */
export function writeFrameHeader(target: Uint8Array, at: number, length: number): void {
  target[at] = length >>> 24;
  target[at + 1] = (length >>> 16) & 0xff;
  target[at + 2] = (length >>> 8) & 0xff;
  target[at + 3] = length & 0xff;
}

/** A new frame (header then body) for `body`. The hot path uses `BatchWriter.takeFramed` instead. */
export function encodeFrame(body: Uint8Array): Uint8Array {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + body.length);
  writeFrameHeader(frame, 0, body.length);
  frame.set(body, FRAME_HEADER_BYTES);
  return frame;
}
