import { encode } from '@msgpack/msgpack';
import type { Channel } from '../channel/Channel.ts';
import { PlainChannel } from '../channel/PlainChannel.ts';
import { SecureChannel } from '../channel/SecureChannel.ts';
import type { BoxKeyPair, CryptoProvider } from '../crypto/CryptoProvider.ts';
import { tweetnaclProvider } from '../crypto/tweetnaclProvider.ts';
import { ErrorCode, HearthError } from '../errors.ts';
import {
  HANDSHAKE_ERROR_TAG,
  HANDSHAKE_MAGIC,
  PROTOCOL_VERSION,
  binOrNil,
  checkMagicAndVersion,
  decodeHandshakeArray,
  sharedKey,
  signedTranscript,
} from './handshakeWire.ts';

/** Options of a {@link ClientHandshake}. */
export interface ClientHandshakeOptions {
  /** `true` for the encrypted protocol (`"msgpack+nacl"`), `false` for the plain one (`"msgpack"`). */
  secure: boolean;
  /** Crypto implementation (secure only). @defaultValue {@link tweetnaclProvider} */
  provider?: CryptoProvider;
  /**
   * The server's 32-byte Ed25519 signing public key. When given, a welcome whose signature does
   * not verify is refused (no man in the middle); without it the signature is not checked.
   */
  serverSigningKey?: Uint8Array;
  /**
   * The ephemeral X25519 key pair to use instead of a fresh one. Only for known-answer tests:
   * reusing an ephemeral key across connections destroys forward secrecy.
   */
  ephemeralKeyPair?: BoxKeyPair;
}

type State = 'new' | 'awaitingWelcome' | 'done' | 'failed';

/**
 * The client side of the wire protocol v1 handshake as a pure state machine: {@link hello} gives
 * the first body to send, {@link receive} takes the server's first body and gives the channel for
 * everything after it. One instance per connection.
 *
 * @example
 * const hs = new ClientHandshake({ secure: true, serverSigningKey });
 * socket.write(encodeFrame(hs.hello()));
 * const channel = hs.receive(firstBody); // throws HearthError on failure
 * socket.write(encodeFrame(channel.seal(batch)));
 */
export class ClientHandshake {
  readonly #secure: boolean;
  readonly #provider: CryptoProvider;
  readonly #serverSigningKey: Uint8Array | undefined;
  readonly #fixedKeyPair: BoxKeyPair | undefined;
  #keyPair: BoxKeyPair | undefined;
  #state: State = 'new';

  constructor(options: ClientHandshakeOptions) {
    this.#secure = options.secure;
    this.#provider = options.provider ?? tweetnaclProvider;
    const pinned = options.serverSigningKey;
    if (pinned !== undefined && pinned.length !== 32) {
      throw new RangeError(`serverSigningKey must be the server's 32-byte Ed25519 public key, got ${pinned.length} bytes`);
    }
    this.#serverSigningKey = pinned?.slice();
    const fixed = options.ephemeralKeyPair;
    this.#fixedKeyPair = fixed && { publicKey: fixed.publicKey.slice(), secretKey: fixed.secretKey.slice() };
  }

  /** Where the handshake is: `new`, `awaitingWelcome` (hello made), `done` or `failed`. */
  get state(): State {
    return this.#state;
  }

  /**
   * The hello body `["hearth", 1, C]` (C = bin(32) ephemeral public key, or nil when plain).
   * @throws {HearthError} `HANDSHAKE_FAILED` if called twice.
   */
  hello(): Uint8Array {
    if (this.#state !== 'new') throw new HearthError(ErrorCode.HANDSHAKE_FAILED, `hello() was already called (state ${this.#state}); use one ClientHandshake per connection`);
    this.#state = 'awaitingWelcome';
    if (!this.#secure) return encode([HANDSHAKE_MAGIC, PROTOCOL_VERSION, null]);
    this.#keyPair = this.#fixedKeyPair ?? this.#provider.boxKeyPair();
    return encode([HANDSHAKE_MAGIC, PROTOCOL_VERSION, this.#keyPair.publicKey]);
  }

  /**
   * Takes the server's first body (welcome or `["error", CODE, TEXT]`) and returns the channel.
   * @throws {HearthError} `HANDSHAKE_FAILED` (malformed welcome, mode mismatch, bad signature),
   * `VERSION_UNSUPPORTED`, or the code the server sent in its error body. The connection must then
   * be closed.
   */
  receive(body: Uint8Array): Channel {
    if (this.#state !== 'awaitingWelcome') {
      throw new HearthError(ErrorCode.HANDSHAKE_FAILED, `receive() needs hello() first and works once (state ${this.#state})`);
    }
    try {
      const channel = this.#welcome(body);
      this.#state = 'done';
      return channel;
    } catch (err) {
      this.#state = 'failed';
      throw err;
    }
  }

  #welcome(body: Uint8Array): Channel {
    const a = decodeHandshakeArray(body, 'welcome');
    if (a[0] === HANDSHAKE_ERROR_TAG) {
      const code = typeof a[1] === 'string' ? a[1] : ErrorCode.HANDSHAKE_FAILED;
      throw new HearthError(code, `the server refused the handshake: ${typeof a[2] === 'string' ? a[2] : '(no text)'}`);
    }
    checkMagicAndVersion(a, 'welcome', 4);
    const serverPublic = binOrNil(a[2], 32, 'welcome S (server ephemeral public key)');
    const signature = binOrNil(a[3], 64, 'welcome SIG (signature)');
    if (!this.#secure) {
      if (serverPublic !== null || signature !== null) {
        throw new HearthError(ErrorCode.HANDSHAKE_FAILED, 'the server answered with the secure protocol to a plain hello; configure both sides alike');
      }
      return new PlainChannel();
    }
    if (serverPublic === null || signature === null) {
      throw new HearthError(ErrorCode.HANDSHAKE_FAILED, 'the server answered with the plain protocol (S and SIG nil) but this client is secure; configure both sides alike');
    }
    const keyPair = this.#keyPair!;
    if (this.#serverSigningKey !== undefined) {
      const signed = signedTranscript(keyPair.publicKey, serverPublic);
      if (!this.#provider.verifyDetached(signed, signature, this.#serverSigningKey)) {
        throw new HearthError(
          ErrorCode.HANDSHAKE_FAILED,
          'the welcome signature does not verify against the pinned serverSigningKey: a man in the middle, or the wrong public key was configured',
        );
      }
    }
    const key = sharedKey(this.#provider, serverPublic, keyPair.secretKey, "the server's ephemeral public key");
    return new SecureChannel(key, 'client', this.#provider);
  }
}
