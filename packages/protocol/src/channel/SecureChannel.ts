import type { CryptoProvider } from '../crypto/CryptoProvider.ts';
import { tweetnaclProvider } from '../crypto/tweetnaclProvider.ts';
import { ErrorCode, HearthError } from '../errors.ts';
import type { Channel } from './Channel.ts';

/** Which end of the connection a {@link SecureChannel} is. */
export type ChannelRole = 'client' | 'server';

/** Nonce direction byte of bodies sent by the client: ASCII `C`. */
export const CLIENT_DIRECTION = 0x43;
/** Nonce direction byte of bodies sent by the server: ASCII `S`. */
export const SERVER_DIRECTION = 0x53;

/**
 * The 24-byte nonce of the `count`-th body (from 0) sent in `direction`: the direction byte, 15 zero
 * bytes, then `count` as a big-endian u64. Written into `into` when given (reused buffers).
 */
export function channelNonce(direction: number, count: number, into: Uint8Array = new Uint8Array(24)): Uint8Array {
  into.fill(0);
  into[0] = direction;
  const high = Math.floor(count / 0x1_0000_0000);
  const low = count >>> 0;
  into[16] = high >>> 24;
  into[17] = (high >>> 16) & 0xff;
  into[18] = (high >>> 8) & 0xff;
  into[19] = high & 0xff;
  into[20] = low >>> 24;
  into[21] = (low >>> 16) & 0xff;
  into[22] = (low >>> 8) & 0xff;
  into[23] = low & 0xff;
  return into;
}

/**
 * The {@link Channel} of the secure protocol: every body is `nacl.secretbox(plain, nonce, K)` with
 * an implicit nonce per direction (see {@link channelNonce}), so a replayed, dropped or reordered
 * body fails to open. Made by the handshakes; construct one directly only for tests.
 */
export class SecureChannel implements Channel {
  readonly secure = true;
  readonly #key: Uint8Array;
  readonly #provider: CryptoProvider;
  readonly #sendDirection: number;
  readonly #receiveDirection: number;
  // Reused nonce buffers: only the counter bytes change between bodies.
  readonly #sendNonce = new Uint8Array(24);
  readonly #receiveNonce = new Uint8Array(24);
  #sent = 0;
  #received = 0;

  /**
   * @param key the 32-byte shared key K (copied).
   * @param role which end this is: a client seals with direction `C` and opens `S`, a server the reverse.
   */
  constructor(key: Uint8Array, role: ChannelRole, provider: CryptoProvider = tweetnaclProvider) {
    if (key.length !== 32) throw new RangeError(`the shared key must be 32 bytes, got ${key.length}`);
    this.#key = key.slice();
    this.#provider = provider;
    this.#sendDirection = role === 'client' ? CLIENT_DIRECTION : SERVER_DIRECTION;
    this.#receiveDirection = role === 'client' ? SERVER_DIRECTION : CLIENT_DIRECTION;
  }

  /** Bodies sealed so far (the counter of the next nonce this side uses). */
  get sent(): number {
    return this.#sent;
  }

  /** Bodies opened so far (the counter of the next nonce this side expects). */
  get received(): number {
    return this.#received;
  }

  seal(plain: Uint8Array): Uint8Array {
    channelNonce(this.#sendDirection, this.#sent, this.#sendNonce);
    const box = this.#provider.secretbox(plain, this.#sendNonce, this.#key);
    this.#sent++;
    return box;
  }

  open(body: Uint8Array): Uint8Array {
    channelNonce(this.#receiveDirection, this.#received, this.#receiveNonce);
    const plain = this.#provider.secretboxOpen(body, this.#receiveNonce, this.#key);
    if (plain === null) {
      throw new HearthError(
        ErrorCode.BAD_MAC,
        `encrypted body #${this.#received} (${body.length} B) failed to open: it was tampered with, replayed, dropped or reordered, or the keys differ; close the connection`,
      );
    }
    this.#received++;
    return plain;
  }
}
