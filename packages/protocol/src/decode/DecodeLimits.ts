import { Decoder } from '@msgpack/msgpack';

/**
 * Limits of every msgpack decode in Hearth (batches, handshakes, Redis backplane and resume
 * records). Declared lengths are always checked against the bytes that remain, so a body of B
 * bytes costs O(B) memory and time whatever these are; see docs/protocol.md, "Decoding limits".
 */
export interface DecodeLimits {
  /**
   * Largest number of nested arrays/maps in one value; the message array itself is depth 1, so a
   * payload may nest `maxDepth - 1` levels. Deeper input fails with `PROTOCOL_ERROR`.
   * @defaultValue {@link DEFAULT_MAX_DEPTH} (32)
   */
  maxDepth?: number;
}

/** Default {@link DecodeLimits.maxDepth}: 32 nested arrays/maps. */
export const DEFAULT_MAX_DEPTH = 32;

/**
 * The `maxStrLength`/`maxBinLength`/`maxExtLength`/`maxArrayLength`/`maxMapLength` given to
 * @msgpack/msgpack (64 Mi bytes or elements). A second line only: the pre-scan already refuses a
 * length longer than the bytes that remain, and bodies are far smaller (frames default to 1 MiB).
 */
export const MAX_DECODE_LENGTH = 64 << 20;

/** A @msgpack/msgpack decoder with Hearth's length ceilings (the library's default is 2^32-1). */
export function newBoundedDecoder(): Decoder {
  return new Decoder({
    maxStrLength: MAX_DECODE_LENGTH,
    maxBinLength: MAX_DECODE_LENGTH,
    maxExtLength: MAX_DECODE_LENGTH,
    maxArrayLength: MAX_DECODE_LENGTH,
    maxMapLength: MAX_DECODE_LENGTH,
  });
}
