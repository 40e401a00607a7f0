import { ErrorCode, HearthError } from '@hearth/protocol';
import type { ClientHandshaker, ServerHandshaker, SessionChannel } from '../protocol/ProtocolFactory.ts';

/** What one handshake body made: the open channel (and, server side, the reply to send first), or a refusal. */
export type HandshakeStep =
  | { readonly channel: SessionChannel; readonly reply: Uint8Array | undefined }
  | { readonly channel?: undefined; readonly code: string; readonly text: string };

/**
 * A connection's handshake, before it is a session: the protocol's handshaker for this side and
 * the deadline. The server reads the client's hello and replies; the client sends its hello and
 * reads the reply. Either way one body ends it, with a channel or a refusal. Dropped once open, so
 * an open session holds none of it.
 */
export class HandshakePhase {
  readonly #side: 'server' | 'client';
  readonly #handshaker: ServerHandshaker | ClientHandshaker;
  #timer: NodeJS.Timeout | undefined;

  /** `onTimeout` runs if no step ended the handshake within `ms`. */
  constructor(side: 'server' | 'client', handshaker: ServerHandshaker | ClientHandshaker, ms: number, onTimeout: () => void) {
    this.#side = side;
    this.#handshaker = handshaker;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      onTimeout();
    }, Math.max(0, ms));
  }

  /** The client's hello (client side only). */
  hello(): Uint8Array {
    return (this.#handshaker as ClientHandshaker).hello();
  }

  /** Reads the peer's body: the hello (server) or the reply (client). */
  step(body: Uint8Array): HandshakeStep {
    try {
      if (this.#side === 'server') {
        const result = (this.#handshaker as ServerHandshaker).receive(body);
        return { channel: result.channel, reply: result.reply };
      }
      return { channel: (this.#handshaker as ClientHandshaker).receive(body), reply: undefined };
    } catch (error) {
      return { code: error instanceof HearthError ? error.code : ErrorCode.HANDSHAKE_FAILED, text: (error as Error).message };
    }
  }

  /** Stops the deadline (the handshake ended, either way). Idempotent. */
  end(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
