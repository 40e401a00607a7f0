/** An X25519 key pair in NaCl format (`nacl.box.keyPair()`): 32-byte public and 32-byte secret key. */
export interface BoxKeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/**
 * An Ed25519 key pair in NaCl format (`nacl.sign.keyPair()`): 32-byte public key and 64-byte secret
 * key, which is the 32-byte seed followed by the public key.
 */
export interface SignKeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/**
 * The cryptographic primitives of the secure protocol, behind one small interface so the portable
 * default ({@link tweetnaclProvider}) and a fast Node one (`@hearth/protocol/node`) are
 * interchangeable. Every implementation produces the same bytes as tweetnacl for the same inputs:
 * the known-answer vectors in `test/vectors` pass with each.
 *
 * Inputs are never mutated and outputs are new arrays the caller owns.
 */
export interface CryptoProvider {
  /** Short name for logs and benchmarks, e.g. `"tweetnacl"`. */
  readonly name: string;
  /** A fresh ephemeral X25519 key pair (`nacl.box.keyPair`). */
  boxKeyPair(): BoxKeyPair;
  /**
   * The shared key of `nacl.box.before` (libsodium `crypto_box_beforenm`): X25519 of the two keys,
   * then HSalsa20 with a zero nonce. 32 bytes.
   * @throws {Error} on a malformed key (the handshake turns this into `HANDSHAKE_FAILED`).
   */
  boxBefore(peerPublicKey: Uint8Array, ownSecretKey: Uint8Array): Uint8Array;
  /** A fresh Ed25519 signing key pair (`nacl.sign.keyPair`). */
  signKeyPair(): SignKeyPair;
  /** The Ed25519 key pair of a 32-byte seed (`nacl.sign.keyPair.fromSeed`). */
  signKeyPairFromSeed(seed: Uint8Array): SignKeyPair;
  /** The 64-byte Ed25519 signature of `message` (`nacl.sign.detached`); `secretKey` is 64 bytes. */
  signDetached(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  /** Whether `signature` is a valid Ed25519 signature of `message` by `publicKey` (`nacl.sign.detached.verify`). */
  verifyDetached(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean;
  /**
   * XSalsa20-Poly1305 (`nacl.secretbox`, libsodium `crypto_secretbox_easy`): the 16-byte Poly1305 tag
   * followed by the ciphertext, `message.length + 16` bytes. `nonce` is 24 bytes, `key` 32.
   */
  secretbox(message: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array;
  /** Opens a {@link CryptoProvider.secretbox} box, or returns `null` when it fails to authenticate. */
  secretboxOpen(box: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | null;
  /** `length` cryptographically secure random bytes. */
  randomBytes(length: number): Uint8Array;
}
