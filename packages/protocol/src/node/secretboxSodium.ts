// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- dependents compiling this source (the @hearth/source condition) must see these ambient types too
/// <reference path="./sodium-native.d.ts" />
import sodium from 'sodium-native';

// XSalsa20-Poly1305 through libsodium (sodium-native, prebuilt binaries inside the npm package, no
// install script). Measured on the project machine (seal+open per second, 64 B / 1 KB):
// sodium-native 377k / 155k, libsodium-wrappers (wasm) 169k / 55k, tweetnacl 74k / 20k,
// @noble/ciphers 47k / 17k. libsodium's crypto_secretbox_easy puts the 16-byte tag first, exactly
// like nacl.secretbox.

/**
 * Uninitialised bytes as a plain Uint8Array. Buffer.allocUnsafe skips the zero fill (every byte is
 * then written by libsodium; ~30% faster seal+open at 64 B), and the plain view keeps Uint8Array
 * semantics for callers: Buffer#slice would share memory where Uint8Array#slice copies.
 */
function uninitialised(length: number): Uint8Array {
  const buffer = Buffer.allocUnsafe(length);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
}

/** `nacl.secretbox` through libsodium's `crypto_secretbox_easy`. */
export function sodiumSecretbox(message: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
  const box = uninitialised(message.length + 16);
  sodium.crypto_secretbox_easy(box, message, nonce, key);
  return box;
}

/** `nacl.secretbox.open` through libsodium's `crypto_secretbox_open_easy`; `null` when it fails to authenticate. */
export function sodiumSecretboxOpen(box: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | null {
  if (box.length < 16 || nonce.length !== 24 || key.length !== 32) return null;
  const message = uninitialised(box.length - 16);
  return sodium.crypto_secretbox_open_easy(message, box, nonce, key) ? message : null;
}
