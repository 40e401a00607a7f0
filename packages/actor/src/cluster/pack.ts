import { BatchWriter, decodeBatch } from '@hearth/protocol';

const writer = new BatchWriter({ initialBytes: 1024 });

/** msgpack-encodes one value (as a `[0, 0, value]` batch message, reusing protocol's encoder) into fresh bytes. */
export function packValue(value: unknown): Buffer {
  writer.push(0, value);
  return Buffer.from(writer.take());
}

/** Inverse of {@link packValue}, bounded like every decode (docs/protocol.md, "Decoding limits"); `bin` values are views of `bytes`. */
export function unpackValue(bytes: Uint8Array): unknown {
  let value: unknown;
  decodeBatch(bytes, (m) => {
    if (m.kind === 0) value = m.payload;
  });
  return value;
}
