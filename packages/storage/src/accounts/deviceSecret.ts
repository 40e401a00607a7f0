import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * A device secret is 128+ random bits the client made and keeps (checked by `checkDeviceSecret`),
 * not a password a person chose: guessing it is hopeless, so a fast hash is enough and a slow one
 * would only cost every guest login (measured: bench "device login"). Stored as `sha256:<base64url>`.
 */
export function hashDeviceSecret(secret: string): string {
  return `sha256:${createHash('sha256').update(secret).digest('base64url')}`;
}

/** Constant-time comparison of a secret against its stored hash. */
export function deviceSecretMatches(stored: string, secret: string): boolean {
  const a = Buffer.from(stored);
  const b = Buffer.from(hashDeviceSecret(secret));
  return a.length === b.length && timingSafeEqual(a, b);
}
