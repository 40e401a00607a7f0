import { Decoder } from '@msgpack/msgpack';
import { ErrorCode, HearthError, toMessage, type Message } from '@hearth/protocol';

/** Set by the decoder's bin hook: the current decode handed out a view of its input. */
let sawBinary = false;
const decoder = new Decoder();
// @msgpack/msgpack decodes `bin` values as views of the input. Copying every one (decodeBatch's
// copyBinary) was 17% of the 1 KiB echo profile (bench/run.ts); instead bins stay views and a
// pooled buffer that lent any is not reused (see BufferPool.retain).
{
  const target = decoder as unknown as { decodeBinary(length: number, head: number): Uint8Array };
  const original = target.decodeBinary;
  target.decodeBinary = function (this: unknown, length: number, head: number): Uint8Array {
    sawBinary = true;
    return original.call(this, length, head);
  };
}

/**
 * `decodeBatch` of `@hearth/protocol` that also says whether any `bin` value is a view into `body`
 * (then `body`'s memory must not be reused while the application may hold it).
 * @throws {HearthError} `PROTOCOL_ERROR` when the body is not a well-formed batch.
 */
export function decodeBody(body: Uint8Array, onMessage: (message: Message) => void): boolean {
  sawBinary = false;
  const values = decoder.decodeMulti(body);
  let count = 0;
  let lent = false;
  for (;;) {
    let next: IteratorResult<unknown>;
    try {
      next = values.next();
    } catch (cause) {
      throw new HearthError(ErrorCode.PROTOCOL_ERROR, `body is not valid msgpack after ${count} message(s): ${(cause as Error).message}`, { cause });
    }
    if (next.done) break;
    count++;
    // A handler may decode too (another session in this process): read the flag before calling out.
    lent ||= sawBinary;
    onMessage(toMessage(next.value));
  }
  if (count === 0) throw new HearthError(ErrorCode.PROTOCOL_ERROR, 'empty body: a body holds at least one message');
  return lent || sawBinary;
}
