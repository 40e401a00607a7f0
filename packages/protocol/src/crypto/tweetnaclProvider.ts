import nacl from 'tweetnacl';
import type { CryptoProvider } from './CryptoProvider.ts';

/**
 * The portable {@link CryptoProvider}: pure JavaScript `tweetnacl`, runs in browsers and any JS
 * runtime. It is the reference for the wire bytes but slow (about 100 server handshakes/s on one
 * core): servers on Node should use `nodeCryptoProvider` from `@hearth/protocol/node`.
 */
export const tweetnaclProvider: CryptoProvider = {
  name: 'tweetnacl',
  boxKeyPair: () => nacl.box.keyPair(),
  boxBefore: (peerPublicKey, ownSecretKey) => nacl.box.before(peerPublicKey, ownSecretKey),
  signKeyPair: () => nacl.sign.keyPair(),
  signKeyPairFromSeed: (seed) => nacl.sign.keyPair.fromSeed(seed),
  signDetached: (message, secretKey) => nacl.sign.detached(message, secretKey),
  verifyDetached: (message, signature, publicKey) =>
    // tweetnacl throws on wrong sizes; the interface answers false, like libsodium.
    signature.length === 64 && publicKey.length === 32 && nacl.sign.detached.verify(message, signature, publicKey),
  secretbox: (message, nonce, key) => nacl.secretbox(message, nonce, key),
  secretboxOpen: (box, nonce, key) => nacl.secretbox.open(box, nonce, key),
  randomBytes: (length) => nacl.randomBytes(length),
};
