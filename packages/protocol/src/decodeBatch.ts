import type { Decoder } from '@msgpack/msgpack';
import { DEFAULT_MAX_DEPTH, newBoundedDecoder, type DecodeLimits } from './decode/DecodeLimits.ts';
import { checkMaxDepth, scanErrorText, scanValue } from './decode/scanValue.ts';
import { ErrorCode, HearthError } from './errors.ts';
import { Kind, type Message } from './message.ts';

/** Options of {@link decodeBatch}. */
export interface DecodeBatchOptions extends DecodeLimits {
  /**
   * Copy msgpack `bin` values out of the body. Needed when the body is a view of a buffer that will
   * be reused (a pooled read buffer): msgpack decodes `bin` as a view of its input. @defaultValue false
   */
  copyBinary?: boolean;
}

/** Set by the view decoder's bin hook: the current decode handed out a view of its input. */
let sawBinary = false;
const newViewDecoder = (): Decoder =>
  hookBinary(newBoundedDecoder(), (bin) => {
    sawBinary = true;
    return bin;
  });
// Buffer#slice would be a view: copy through Uint8Array's slice.
const newCopyDecoder = (): Decoder => hookBinary(newBoundedDecoder(), (bin) => Uint8Array.prototype.slice.call(bin));
const viewDecoder = newViewDecoder();
const copyDecoder = newCopyDecoder();
/**
 * Multi-message bodies being decoded: a handler may decode another body meanwhile. The nested call
 * gets its own hooked decoder, since @msgpack/msgpack would decode it with a plain clone (no hook).
 */
let active = 0;

/**
 * @msgpack/msgpack returns `bin` values as views of its input and has no option to copy them;
 * `decodeBinary` is private in its typings only, and wrapping it on an instance is the one hook.
 */
function hookBinary(decoder: Decoder, onBinary: (bin: Uint8Array) => Uint8Array): Decoder {
  const target = decoder as unknown as { decodeBinary: (this: unknown, length: number, head: number) => Uint8Array };
  const original = target.decodeBinary;
  target.decodeBinary = function (this: unknown, length: number, head: number): Uint8Array {
    return onBinary(original.call(this, length, head));
  };
  return decoder;
}

/**
 * Decodes a batch body (one or more msgpack message arrays back to back) and calls `onMessage` for
 * each, in order. Errors thrown by `onMessage` propagate unchanged.
 * @returns whether a delivered message holds a `bin` value that is a view of `body` (never with
 * `copyBinary`): then `body`'s memory must not be reused while the application may keep it. This
 * lets a pooled read buffer be recycled unless it lent a view, instead of copying every `bin`
 * (copying was 17% of the 1 KB echo profile in packages/net/bench/run.ts).
 *
 * Bounded: before anything is decoded, {@link scanValue} checks every value's declared lengths
 * against the bytes that remain and its nesting against `maxDepth`, so a body of B bytes costs
 * O(B) memory and time (docs/protocol.md, "Decoding limits"). The scan costs about 1/10 of the
 * decode it guards (1/4 on arrays of small ints): bench/run.ts, group "decode".
 * @throws {HearthError} `PROTOCOL_ERROR` when the body is not a well-formed batch within the
 * limits; the messages before the malformed one have been delivered first.
 * @throws {RangeError} when `options.maxDepth` is not an integer >= 0.
 */
export function decodeBatch(body: Uint8Array, onMessage: (msg: Message) => void, options?: DecodeBatchOptions): boolean {
  sawBinary = false;
  const end = body.length;
  if (end === 0) throw new HearthError(ErrorCode.PROTOCOL_ERROR, 'empty body: a body holds at least one message');
  const maxDepth = options?.maxDepth === undefined ? DEFAULT_MAX_DEPTH : checkMaxDepth(options.maxDepth);
  // Scan the whole body first, in one tight loop (interleaving scan and decode per value cost
  // ~45 ns per message more on the 64 B echo body): `valid` bytes hold `n` accepted values.
  let valid = 0;
  let n = 0;
  let refused = 0;
  while (valid < end) {
    const next = scanValue(body, valid, end, maxDepth);
    if (next < 0) {
      refused = next;
      break;
    }
    valid = next;
    n++;
  }
  const copy = options?.copyBinary === true;
  const decoder = active === 0 ? (copy ? copyDecoder : viewDecoder) : copy ? newCopyDecoder() : newViewDecoder();
  let lent = false;
  if (n === 1) {
    // One message (most bodies): a plain decode, no generator.
    let value: unknown;
    try {
      value = decoder.decode(valid === end ? body : body.subarray(0, valid));
    } catch (cause) {
      throw invalid(0, cause);
    }
    lent = sawBinary;
    onMessage(toMessage(value));
  } else if (n > 1) {
    // Several: one generator over the accepted values, run to its end unless a handler throws.
    const values = decoder.decodeMulti(valid === end ? body : body.subarray(0, valid));
    let count = 0;
    let finished = false;
    active++;
    try {
      for (;;) {
        let next: IteratorResult<unknown>;
        try {
          next = values.next();
        } catch (cause) {
          finished = true; // a generator that threw has ended
          throw invalid(count, cause);
        }
        if (next.done) break;
        count++;
        // A handler may decode too (another session in this process): read the flag before calling out.
        lent ||= sawBinary;
        onMessage(toMessage(next.value));
      }
      finished = true;
    } finally {
      active--;
      // Until the generator ends, the decoder stays "entered" and would decode every later body
      // with an unhooked clone: end it when a handler throws.
      if (!finished) values.return(undefined);
    }
  }
  if (refused < 0) throw new HearthError(ErrorCode.PROTOCOL_ERROR, `body is not valid msgpack after ${n} message(s): ${scanErrorText(refused, maxDepth)}`);
  return lent;
}

function invalid(count: number, cause: unknown): HearthError {
  return new HearthError(ErrorCode.PROTOCOL_ERROR, `body is not valid msgpack after ${count} message(s): ${(cause as Error).message}`, { cause });
}

/**
 * Checks one decoded value against the message shapes of wire protocol v1.
 * @throws {HearthError} `PROTOCOL_ERROR`
 */
export function toMessage(value: unknown): Message {
  if (!Array.isArray(value) || value.length < 2) return malformed(value, 'not a message array');
  const a = value as unknown[];
  switch (a[0]) {
    case Kind.PUSH:
      if (a.length === 3 && isUint(a[1])) return { kind: Kind.PUSH, type: a[1], payload: a[2] };
      break;
    case Kind.REQUEST:
      if (a.length === 4 && isUint(a[1]) && isUint(a[3])) return { kind: Kind.REQUEST, type: a[1], payload: a[2], rid: a[3] };
      break;
    case Kind.REPLY:
      if (a.length === 3 && isUint(a[1])) return { kind: Kind.REPLY, rid: a[1], payload: a[2] };
      break;
    case Kind.ERROR:
      if (a.length === 4 && isUint(a[1]) && typeof a[2] === 'string' && typeof a[3] === 'string') {
        return { kind: Kind.ERROR, rid: a[1], code: a[2], text: a[3] };
      }
      break;
    case Kind.PING:
    case Kind.PONG:
      if (a.length === 2 && isClock(a[1])) return { kind: a[0], t: a[1] };
      break;
    case Kind.CLOSE:
      if (a.length === 3 && typeof a[1] === 'string' && typeof a[2] === 'string') return { kind: Kind.CLOSE, code: a[1], text: a[2] };
      break;
    default:
      return malformed(value, `unknown kind ${String(a[0])}`);
  }
  return malformed(value, `bad shape for kind ${String(a[0])}`);
}

function isUint(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff_ffff;
}

function isClock(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function malformed(value: unknown, why: string): never {
  const shown = Array.isArray(value) ? `array(${value.length})` : typeof value;
  throw new HearthError(
    ErrorCode.PROTOCOL_ERROR,
    `${why} (got ${shown}); messages are arrays [kind, ...] as in docs/protocol.md`,
  );
}
