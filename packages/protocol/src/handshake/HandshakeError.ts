import { HearthError } from '../errors.ts';
import { handshakeErrorBody } from './handshakeWire.ts';

/**
 * A failed server-side handshake. It is a {@link HearthError} (`code` is `HANDSHAKE_FAILED` or
 * `VERSION_UNSUPPORTED`) that also carries `reply`, the `["error", code, text]` body to send to the
 * client before closing.
 */
export class HandshakeError extends HearthError {
  override name = 'HandshakeError';
  /** msgpack `["error", code, message]`: send it as the last body, then close. */
  readonly reply: Uint8Array;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.reply = handshakeErrorBody(code, message);
  }
}
