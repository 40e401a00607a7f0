/**
 * Why {@link scanValue} returned no end offset. Negative, so one number carries an end offset
 * (`>= 0`) or a reason (`< 0`) and the scan neither allocates nor throws.
 */
export const ScanError = {
  /** A header announces more bytes, elements or entries than the input still holds. */
  TRUNCATED: -1,
  /** Containers nested deeper than the limit. */
  TOO_DEEP: -2,
  /** The byte 0xc1, which msgpack never uses. */
  INVALID: -3,
} as const;
/** One of {@link ScanError}. */
export type ScanError = (typeof ScanError)[keyof typeof ScanError];

/** Text for a {@link ScanError}, for error messages. */
export function scanErrorText(reason: number, maxDepth: number): string {
  if (reason === ScanError.TOO_DEEP) return `containers nested deeper than ${maxDepth} (the decoding depth limit, docs/protocol.md "Decoding limits")`;
  if (reason === ScanError.INVALID) return 'the reserved byte 0xc1';
  return 'a declared length longer than the bytes that remain';
}

/**
 * Values still to read at each open container level; shared because a scan never calls out. Int32:
 * a count is pushed only once it is checked against the bytes that remain (a body is < 2 GiB).
 */
let pendingStack = new Int32Array(64);

/**
 * Finds where the one msgpack value starting at `bytes[at]` ends, without decoding it: a linear
 * walk over headers that checks every declared str/bin/ext length and every array/map count
 * against the bytes that remain, and the nesting depth against `maxDepth`. A value it accepts is
 * complete and well-formed, so a decoder that pre-allocates `new Array(count)` allocates at most
 * one slot per input byte: decoding costs O(bytes) memory and time (see docs/protocol.md,
 * "Decoding limits"). It reads each header once and skips payload bytes, so it is much cheaper
 * than the decode it guards (measured in bench/run.ts, case "decodeBatch").
 * @param maxDepth largest number of nested arrays/maps (a top-level array is depth 1); a
 * non-negative integer (see {@link checkMaxDepth}).
 * @returns the offset just past the value (`<= end`), or a negative {@link ScanError}.
 */
export function scanValue(bytes: Uint8Array, at: number, end: number, maxDepth: number): number {
  let pos = at;
  let depth = 0;
  let pending = 1; // values still to read in the current container (1: the value itself)
  // Each open container takes at least one byte: the stack never needs more levels than that.
  if (pendingStack.length < maxDepth && pendingStack.length < end - at) pendingStack = new Int32Array(Math.min(maxDepth, end - at));
  const stack = pendingStack;
  for (;;) {
    if (pending === 0) {
      if (depth === 0) return pos;
      pending = stack[--depth]!;
      continue;
    }
    pending--;
    if (pos >= end) return ScanError.TRUNCATED;
    const h = bytes[pos++]!;
    // fixint and negative fixint: the head byte is the whole value. Take the run of them that
    // follows in a tight loop (game state arrays are mostly small ints: 2x on "200 small ints").
    if (h < 0x80 || h >= 0xe0) {
      while (pending > 0 && pos < end) {
        const next = bytes[pos]!;
        if (next >= 0x80 && next < 0xe0) break;
        pos++;
        pending--;
      }
      continue;
    }
    let count: number; // elements of a container to open (map entries count twice)
    if (h < 0x90) count = (h & 0x0f) * 2;
    else if (h < 0xa0) count = h & 0x0f;
    else if (h < 0xc0) {
      pos += h & 0x1f; // fixstr
      if (pos > end) return ScanError.TRUNCATED;
      continue;
    } else {
      const left = end - pos;
      switch (h) {
        case 0xc0: case 0xc2: case 0xc3:
          continue;
        case 0xc1:
          return ScanError.INVALID;
        case 0xc4: case 0xd9: // bin8, str8
          if (left < 1) return ScanError.TRUNCATED;
          pos += 1 + bytes[pos]!;
          if (pos > end) return ScanError.TRUNCATED;
          continue;
        case 0xc5: case 0xda: // bin16, str16
          if (left < 2) return ScanError.TRUNCATED;
          pos += 2 + u16(bytes, pos);
          if (pos > end) return ScanError.TRUNCATED;
          continue;
        case 0xc6: case 0xdb: // bin32, str32
          if (left < 4) return ScanError.TRUNCATED;
          pos += 4 + u32(bytes, pos);
          if (pos > end) return ScanError.TRUNCATED;
          continue;
        case 0xc7: // ext8: length, type, data
          if (left < 2) return ScanError.TRUNCATED;
          pos += 2 + bytes[pos]!;
          if (pos > end) return ScanError.TRUNCATED;
          continue;
        case 0xc8: // ext16
          if (left < 3) return ScanError.TRUNCATED;
          pos += 3 + u16(bytes, pos);
          if (pos > end) return ScanError.TRUNCATED;
          continue;
        case 0xc9: // ext32
          if (left < 5) return ScanError.TRUNCATED;
          pos += 5 + u32(bytes, pos);
          if (pos > end) return ScanError.TRUNCATED;
          continue;
        case 0xca: case 0xce: case 0xd2: // float32, uint32, int32
          pos += 4;
          if (pos > end) return ScanError.TRUNCATED;
          continue;
        case 0xcb: case 0xcf: case 0xd3: // float64, uint64, int64
          pos += 8;
          if (pos > end) return ScanError.TRUNCATED;
          continue;
        case 0xcc: case 0xd0: // uint8, int8
          pos += 1;
          if (pos > end) return ScanError.TRUNCATED;
          continue;
        case 0xcd: case 0xd1: // uint16, int16
          pos += 2;
          if (pos > end) return ScanError.TRUNCATED;
          continue;
        case 0xd4: // fixext1..16: type byte and data
          pos += 2;
          if (pos > end) return ScanError.TRUNCATED;
          continue;
        case 0xd5:
          pos += 3;
          if (pos > end) return ScanError.TRUNCATED;
          continue;
        case 0xd6:
          pos += 5;
          if (pos > end) return ScanError.TRUNCATED;
          continue;
        case 0xd7:
          pos += 9;
          if (pos > end) return ScanError.TRUNCATED;
          continue;
        case 0xd8:
          pos += 17;
          if (pos > end) return ScanError.TRUNCATED;
          continue;
        case 0xdc: // array16
          if (left < 2) return ScanError.TRUNCATED;
          count = u16(bytes, pos);
          pos += 2;
          break;
        case 0xdd: // array32
          if (left < 4) return ScanError.TRUNCATED;
          count = u32(bytes, pos);
          pos += 4;
          break;
        case 0xde: // map16
          if (left < 2) return ScanError.TRUNCATED;
          count = u16(bytes, pos) * 2;
          pos += 2;
          break;
        default: // 0xdf map32
          if (left < 4) return ScanError.TRUNCATED;
          count = u32(bytes, pos) * 2;
          pos += 4;
          break;
      }
    }
    // Open a container of `count` values: every value takes at least one byte.
    if (count > end - pos) return ScanError.TRUNCATED;
    if (depth >= maxDepth) return ScanError.TOO_DEEP;
    if (count === 0) continue;
    stack[depth++] = pending;
    pending = count;
  }
}

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/**
 * `maxDepth` if it is a usable depth limit (an integer from 0 to 2^31-1).
 * @throws {RangeError} otherwise: a NaN or negative limit would turn the depth check off.
 */
export function checkMaxDepth(maxDepth: number): number {
  if (!Number.isInteger(maxDepth) || maxDepth < 0 || maxDepth > 0x7fff_ffff) {
    throw new RangeError(`maxDepth must be an integer >= 0, got ${maxDepth}; the default is 32 (DEFAULT_MAX_DEPTH)`);
  }
  return maxDepth;
}
