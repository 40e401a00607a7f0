import { encode } from '@msgpack/msgpack';
import { decodeValue } from '../decode/decodeValue.ts';
import { ErrorCode, HearthError } from '../errors.ts';
import type { CryptoProvider } from '../crypto/CryptoProvider.ts';

/** First element of the hello and the welcome. */
export const HANDSHAKE_MAGIC = 'hearth';
/** The wire protocol version this package speaks. */
export const PROTOCOL_VERSION = 1;
/** First element of a handshake failure body `["error", CODE, TEXT]`. */
export const HANDSHAKE_ERROR_TAG = 'error';
/** ASCII `hearth/1`: the prefix of the 72 signed bytes `"hearth/1" || C || S`. */
export const SIGNATURE_CONTEXT = new TextEncoder().encode(`${HANDSHAKE_MAGIC}/${PROTOCOL_VERSION}`);

/** The body a server sends when a handshake fails, before it closes: msgpack `["error", code, text]`. */
export function handshakeErrorBody(code: string, text: string): Uint8Array {
  return encode([HANDSHAKE_ERROR_TAG, code, text]);
}

/** The 72 bytes the server signs: `ASCII("hearth/1") || C || S`. */
export function signedTranscript(clientPublicKey: Uint8Array, serverPublicKey: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(SIGNATURE_CONTEXT.length + 64);
  bytes.set(SIGNATURE_CONTEXT, 0);
  bytes.set(clientPublicKey, SIGNATURE_CONTEXT.length);
  bytes.set(serverPublicKey, SIGNATURE_CONTEXT.length + 32);
  return bytes;
}

/** `nacl.box.before` of an all-zero X25519 result (a low-order peer key): refused by every provider. */
export const LOW_ORDER_SHARED_KEY_HEX = '351f86faa3b988468a850122b65b0acece9c4826806aeee63de9c0da2bd7f91e';

/**
 * Nesting limit of handshake bodies: the hello, the welcome and `["error", code, text]` are flat
 * arrays, so anything nested is refused before it is decoded (docs/protocol.md, "Decoding limits").
 */
export const HANDSHAKE_MAX_DEPTH = 1;

/** The decoded array of a handshake body (bounded decode), or a `HANDSHAKE_FAILED` error naming `what`. */
export function decodeHandshakeArray(body: Uint8Array, what: string): unknown[] {
  let value: unknown;
  try {
    value = decodeValue(body, { maxDepth: HANDSHAKE_MAX_DEPTH, code: ErrorCode.HANDSHAKE_FAILED });
  } catch (cause) {
    throw new HearthError(ErrorCode.HANDSHAKE_FAILED, `${what} is not a single flat msgpack array (${(cause as Error).message}); see docs/protocol.md, Handshake`, { cause });
  }
  if (!Array.isArray(value)) throw new HearthError(ErrorCode.HANDSHAKE_FAILED, `${what} must be a msgpack array, got ${typeof value}; see docs/protocol.md, Handshake`);
  return value as unknown[];
}

/** Checks magic and version of a hello or welcome array; later elements are checked by the caller. */
export function checkMagicAndVersion(a: unknown[], what: string, length: number): void {
  if (a[0] !== HANDSHAKE_MAGIC) {
    throw new HearthError(ErrorCode.HANDSHAKE_FAILED, `${what} must start with "${HANDSHAKE_MAGIC}", got ${JSON.stringify(a[0]) ?? typeof a[0]}: the peer does not speak the Hearth protocol`);
  }
  if (a[1] !== PROTOCOL_VERSION) {
    throw new HearthError(ErrorCode.VERSION_UNSUPPORTED, `${what} is for protocol version ${String(a[1])}; this side speaks version ${PROTOCOL_VERSION}: upgrade the older side`);
  }
  if (a.length !== length) throw new HearthError(ErrorCode.HANDSHAKE_FAILED, `${what} must have ${length} elements, got ${a.length}`);
}

/** `value` as a bin of exactly `length` bytes, `null` for nil, or a `HANDSHAKE_FAILED` error. */
export function binOrNil(value: unknown, length: number, what: string): Uint8Array | null {
  if (value === null) return null;
  if (value instanceof Uint8Array && value.length === length) return value;
  const got = value instanceof Uint8Array ? `bin(${value.length})` : typeof value;
  throw new HearthError(ErrorCode.HANDSHAKE_FAILED, `${what} must be bin(${length}) or nil, got ${got}`);
}

/** Whether two byte arrays are equal (not constant-time: used on public values only). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const LOW_ORDER_SHARED_KEY = Uint8Array.from(LOW_ORDER_SHARED_KEY_HEX.match(/../g)!, (h) => parseInt(h, 16));

/** Whether `key` is the shared key of a low-order (all-zero X25519) exchange, which gives no secrecy. */
export function isLowOrderSharedKey(key: Uint8Array): boolean {
  return bytesEqual(key, LOW_ORDER_SHARED_KEY);
}

/**
 * K = box.before(peerPublic, ownSecret), refusing a low-order peer key: tweetnacl returns the key of
 * an all-zero X25519 result, libsodium and OpenSSL throw; every provider ends in the same error.
 * @throws {HearthError} `HANDSHAKE_FAILED`
 */
export function sharedKey(provider: CryptoProvider, peerPublic: Uint8Array, ownSecret: Uint8Array, whose: string): Uint8Array {
  let key: Uint8Array;
  try {
    key = provider.boxBefore(peerPublic, ownSecret);
  } catch (cause) {
    throw new HearthError(ErrorCode.HANDSHAKE_FAILED, `${whose} is a low-order or invalid X25519 point; use a key from crypto_box_keypair`, { cause });
  }
  if (isLowOrderSharedKey(key)) {
    throw new HearthError(ErrorCode.HANDSHAKE_FAILED, `${whose} is a low-order X25519 point; use a key from crypto_box_keypair`);
  }
  return key;
}
