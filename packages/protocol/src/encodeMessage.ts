import { BatchWriter } from './BatchWriter.ts';
import { Kind, type Message } from './message.ts';

const scratch = new BatchWriter({ initialBytes: 1024 });

/**
 * Encodes one message into new bytes (a copy that the caller owns). Used to encode a broadcast
 * once and append it to many sessions' batches with `BatchWriter.appendEncoded`.
 */
export function encodeMessage(msg: Message): Uint8Array {
  switch (msg.kind) {
    case Kind.PUSH:
      scratch.push(msg.type, msg.payload);
      break;
    case Kind.REQUEST:
      scratch.request(msg.type, msg.payload, msg.rid);
      break;
    case Kind.REPLY:
      scratch.reply(msg.rid, msg.payload);
      break;
    case Kind.ERROR:
      scratch.error(msg.rid, msg.code, msg.text);
      break;
    case Kind.PING:
      scratch.ping(msg.t);
      break;
    case Kind.PONG:
      scratch.pong(msg.t);
      break;
    case Kind.CLOSE:
      scratch.close(msg.code, msg.text);
      break;
  }
  return scratch.take().slice();
}
