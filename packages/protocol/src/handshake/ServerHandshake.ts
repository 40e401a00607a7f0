import { encode } from '@msgpack/msgpack';
import type { Channel } from '../channel/Channel.ts';
import { PlainChannel } from '../channel/PlainChannel.ts';
import { SecureChannel } from '../channel/SecureChannel.ts';
import type { BoxKeyPair, CryptoProvider } from '../crypto/CryptoProvider.ts';
import { tweetnaclProvider } from '../crypto/tweetnaclProvider.ts';
import { ErrorCode, HearthError } from '../errors.ts';
import { HandshakeError } from './HandshakeError.ts';
import {
  HANDSHAKE_MAGIC,
  PROTOCOL_VERSION,
  binOrNil,
  checkMagicAndVersion,
  decodeHandshakeArray,
  sharedKey,
  signedTranscript,
} from './handshakeWire.ts';

/** Options of a {@link ServerHandshake}. */
export interface ServerHandshakeOptions {
  /** `true` for the encrypted protocol (`"msgpack+nacl"`), `false` for the plain one (`"msgpack"`). */
  secure: boolean;
  /** Crypto implementation (secure only); servers on Node should pass `nodeCryptoProvider`. @defaultValue {@link tweetnaclProvider} */
  provider?: CryptoProvider;
  /** The server's long-term Ed25519 secret key, 64 bytes in NaCl format (seed || public key). Required when secure. */
  signingSecretKey?: Uint8Array;
  /**
   * The ephemeral X25519 key pair to use instead of a fresh one. Only for known-answer tests:
   * reusing an ephemeral key across connections destroys forward secrecy.
   */
  ephemeralKeyPair?: BoxKeyPair;
}

/** What a successful server-side handshake gives: the welcome to send and the channel for what follows. */
export interface ServerHandshakeResult {
  /** The welcome body `["hearth", 1, S, SIG]`: send it as the first body. */
  readonly reply: Uint8Array;
  readonly channel: Channel;
}

type State = 'awaitingHello' | 'done' | 'failed';

/**
 * The server side of the wire protocol v1 handshake as a pure state machine: {@link receive} takes
 * the client's first body and gives the welcome to send and the channel. One instance per
 * connection (construction is cheap: the options are only copied).
 *
 * @example
 * const hs = new ServerHandshake({ secure: true, signingSecretKey, provider: nodeCryptoProvider });
 * try {
 *   const { reply, channel } = hs.receive(firstBody);
 *   send(reply);
 * } catch (err) {
 *   if (err instanceof HandshakeError) send(err.reply);
 *   close();
 * }
 */
export class ServerHandshake {
  readonly #secure: boolean;
  readonly #provider: CryptoProvider;
  readonly #signingSecretKey: Uint8Array | undefined;
  readonly #fixedKeyPair: BoxKeyPair | undefined;
  #state: State = 'awaitingHello';

  /** @throws {RangeError} when `secure` and `signingSecretKey` is missing or not 64 bytes. */
  constructor(options: ServerHandshakeOptions) {
    this.#secure = options.secure;
    this.#provider = options.provider ?? tweetnaclProvider;
    const signing = options.signingSecretKey;
    if (this.#secure && signing?.length !== 64) {
      throw new RangeError(
        `a secure ServerHandshake needs signingSecretKey, the 64-byte Ed25519 secret key (got ${signing === undefined ? 'none' : `${signing.length} bytes`}); create one with generateSigningKeyPair()`,
      );
    }
    this.#signingSecretKey = signing?.slice();
    const fixed = options.ephemeralKeyPair;
    this.#fixedKeyPair = fixed && { publicKey: fixed.publicKey.slice(), secretKey: fixed.secretKey.slice() };
  }

  /** Where the handshake is: `awaitingHello`, `done` or `failed`. */
  get state(): State {
    return this.#state;
  }

  /**
   * Takes the client's hello and returns the welcome and the channel.
   * @throws {HandshakeError} `HANDSHAKE_FAILED` (malformed hello, or plain/secure mismatch) or
   * `VERSION_UNSUPPORTED`; send its `reply` and close.
   */
  receive(helloBody: Uint8Array): ServerHandshakeResult {
    if (this.#state !== 'awaitingHello') {
      throw new HandshakeError(ErrorCode.HANDSHAKE_FAILED, `the handshake already ${this.#state === 'done' ? 'completed' : 'failed'}; use one ServerHandshake per connection`);
    }
    try {
      const result = this.#hello(helloBody);
      this.#state = 'done';
      return result;
    } catch (err) {
      this.#state = 'failed';
      if (err instanceof HandshakeError) throw err;
      if (err instanceof HearthError) throw new HandshakeError(err.code, err.message, { cause: err.cause });
      throw new HandshakeError(ErrorCode.HANDSHAKE_FAILED, `the hello could not be processed: ${(err as Error).message}`, { cause: err });
    }
  }

  #hello(body: Uint8Array): ServerHandshakeResult {
    const a = decodeHandshakeArray(body, 'hello');
    checkMagicAndVersion(a, 'hello', 3);
    const clientPublic = binOrNil(a[2], 32, 'hello C (client ephemeral public key)');
    if (!this.#secure) {
      if (clientPublic !== null) {
        throw new HearthError(ErrorCode.HANDSHAKE_FAILED, 'this server speaks the plain protocol; send C = nil in the hello (or connect to the secure endpoint)');
      }
      return { reply: encode([HANDSHAKE_MAGIC, PROTOCOL_VERSION, null, null]), channel: new PlainChannel() };
    }
    if (clientPublic === null) {
      throw new HearthError(ErrorCode.HANDSHAKE_FAILED, 'this server requires the secure protocol; send C = your 32-byte ephemeral X25519 public key in the hello');
    }
    const keyPair = this.#fixedKeyPair ?? this.#provider.boxKeyPair();
    const key = sharedKey(this.#provider, clientPublic, keyPair.secretKey, 'the client ephemeral public key');
    const signature = this.#provider.signDetached(signedTranscript(clientPublic, keyPair.publicKey), this.#signingSecretKey!);
    return {
      reply: encode([HANDSHAKE_MAGIC, PROTOCOL_VERSION, keyPair.publicKey, signature]),
      channel: new SecureChannel(key, 'server', this.#provider),
    };
  }
}
