import { createPrivateKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateSigningKeyPair } from '@hearth/protocol';

/** The server's long-term signing key pair, in the nacl (tweetnacl / libsodium) layout. */
export interface SigningKey {
  /** 64 bytes: seed ‖ public key. */
  readonly secretKey: Uint8Array;
  /** 32 bytes. */
  readonly publicKey: Uint8Array;
  /** Whether this start created the key file. */
  readonly created: boolean;
  /** Path of the public key file (`<key-file>.pub`, hex). */
  readonly publicKeyFile: string;
}

/** The key file could not be read, parsed or created; `message` says which file and why. */
export class KeyFileError extends Error {
  override name = 'KeyFileError';
}

/**
 * Reads the signing key at `path` (hex of the 64-byte nacl secret key, or of its 32-byte seed), or
 * creates one there with mode 0600 (and its directory) on first start. Either way writes the public
 * key in hex beside it as `<path>.pub`, for clients to pin (`--server-key-file`).
 *
 * @throws {KeyFileError} when the file exists but cannot be read or is not a key, or cannot be created.
 */
export function loadOrCreateSigningKey(path: string): SigningKey {
  const publicKeyFile = `${path}.pub`;
  let secretKey: Uint8Array;
  let created = false;
  if (existsSync(path)) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8').trim();
    } catch (cause) {
      throw new KeyFileError(`cannot read key file ${path}: ${(cause as Error).message}`, { cause });
    }
    secretKey = parseSecretKey(path, text);
  } else {
    secretKey = generateSigningKeyPair().secretKey;
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // `wx`: never overwrite a key another process just created.
      writeFileSync(path, `${Buffer.from(secretKey).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(path, 0o600); // the umask may have narrowed or widened the mode at creation
    } catch (cause) {
      throw new KeyFileError(`cannot create key file ${path}: ${(cause as Error).message}`, { cause });
    }
    created = true;
  }
  const publicKey = secretKey.slice(32);
  try {
    writeFileSync(publicKeyFile, `${Buffer.from(publicKey).toString('hex')}\n`, { mode: 0o644 });
  } catch (cause) {
    throw new KeyFileError(`cannot write public key file ${publicKeyFile}: ${(cause as Error).message}`, { cause });
  }
  return { secretKey, publicKey, created, publicKeyFile };
}

/** nacl secret key from a 64-byte key or a 32-byte seed, in hex. */
function parseSecretKey(path: string, text: string): Uint8Array {
  if (!/^[0-9a-fA-F]+$/.test(text) || (text.length !== 128 && text.length !== 64)) {
    throw new KeyFileError(`key file ${path} does not hold a hex ed25519 key (128 hex digits, or a 64-digit seed); move it away to create a new one`);
  }
  const bytes = Buffer.from(text, 'hex');
  const seed = bytes.subarray(0, 32);
  // Derive the public key from the seed, and check it against the stored one if present.
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const jwk = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' });
  const pub = Buffer.from(jwk.x!, 'base64url');
  if (bytes.length === 64 && !pub.equals(bytes.subarray(32))) {
    throw new KeyFileError(`key file ${path}: its public half does not match its seed; the file is damaged`);
  }
  return new Uint8Array(Buffer.concat([seed, pub]));
}
