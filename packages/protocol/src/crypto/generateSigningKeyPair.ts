import type { CryptoProvider, SignKeyPair } from './CryptoProvider.ts';
import { tweetnaclProvider } from './tweetnaclProvider.ts';

/**
 * A new long-term Ed25519 signing key pair for a secure server. Keep `secretKey` (64 bytes, NaCl
 * format) on the server (`signingSecretKey` of {@link ServerHandshake}) and give `publicKey`
 * (32 bytes) to clients to pin (`serverSigningKey` of {@link ClientHandshake}).
 *
 * @example
 * const { publicKey, secretKey } = generateSigningKeyPair();
 * writeFileSync('server.key', secretKey);
 * writeFileSync('server.pub', publicKey);
 */
export function generateSigningKeyPair(provider: CryptoProvider = tweetnaclProvider): SignKeyPair {
  return provider.signKeyPair();
}
