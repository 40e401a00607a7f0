import { ErrorCode, HearthError } from '../errors.ts';
import { DEFAULT_MAX_DEPTH, newBoundedDecoder, type DecodeLimits } from './DecodeLimits.ts';
import { checkMaxDepth, scanErrorText, scanValue } from './scanValue.ts';

/** Options of {@link decodeValue}. */
export interface DecodeValueOptions extends DecodeLimits {
  /** Code of the error thrown for malformed input. @defaultValue `PROTOCOL_ERROR` */
  code?: ErrorCode;
}

const decoder = newBoundedDecoder();

/**
 * Decodes `bytes` as exactly one msgpack value, in O(bytes) memory and time: the value is
 * pre-scanned ({@link scanValue}: declared lengths against the bytes that remain, nesting depth
 * against `maxDepth`) before @msgpack/msgpack allocates anything. `bin` values are views of `bytes`.
 * Use it for every msgpack value from outside the process (sockets, Redis, files).
 * @throws {HearthError} `options.code` (default `PROTOCOL_ERROR`) when `bytes` is not one
 * well-formed value within the limits.
 * @throws {RangeError} when `options.maxDepth` is not an integer >= 0.
 * @example
 * const snapshot = decodeValue(bytesFromRedis, { maxDepth: 16 });
 */
export function decodeValue(bytes: Uint8Array, options?: DecodeValueOptions): unknown {
  const maxDepth = options?.maxDepth === undefined ? DEFAULT_MAX_DEPTH : checkMaxDepth(options.maxDepth);
  const end = scanValue(bytes, 0, bytes.length, maxDepth);
  const code = options?.code ?? ErrorCode.PROTOCOL_ERROR;
  if (end < 0) throw new HearthError(code, `not a msgpack value within the decoding limits: ${scanErrorText(end, maxDepth)}`);
  if (end !== bytes.length) throw new HearthError(code, `${bytes.length - end} byte(s) after the msgpack value`);
  try {
    return decoder.decode(bytes);
  } catch (cause) {
    throw new HearthError(code, `not a valid msgpack value: ${(cause as Error).message}`, { cause });
  }
}
