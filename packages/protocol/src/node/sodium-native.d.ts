// The subset of sodium-native (v5) that the Node providers use. Written here rather than taken from
// @types/sodium-native, whose last release describes the v2 API.
declare module 'sodium-native' {
  interface SodiumNative {
    crypto_box_keypair(publicKey: Uint8Array, secretKey: Uint8Array): void;
    crypto_scalarmult(shared: Uint8Array, secretKey: Uint8Array, publicKey: Uint8Array): void;
    crypto_sign_seed_keypair(publicKey: Uint8Array, secretKey: Uint8Array, seed: Uint8Array): void;
    crypto_sign_detached(signature: Uint8Array, message: Uint8Array, secretKey: Uint8Array): void;
    crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
    crypto_secretbox_easy(box: Uint8Array, message: Uint8Array, nonce: Uint8Array, key: Uint8Array): void;
    crypto_secretbox_open_easy(message: Uint8Array, box: Uint8Array, nonce: Uint8Array, key: Uint8Array): boolean;
    randombytes_buf(buffer: Uint8Array): void;
  }
  const sodium: SodiumNative;
  // CommonJS: an ESM default import is module.exports.
  // eslint-disable-next-line no-restricted-syntax -- describes a CommonJS module, whose only ESM export is the default
  export default sodium;
}
