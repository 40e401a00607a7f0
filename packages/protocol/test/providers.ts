// The providers every crypto, vector and handshake test runs against.
import type { CryptoProvider } from '../src/index.ts';
import { tweetnaclProvider } from '../src/index.ts';
import { nodeCryptoProvider, opensslCryptoProvider } from '../src/node/index.ts';

export const providers: readonly CryptoProvider[] = [tweetnaclProvider, nodeCryptoProvider, opensslCryptoProvider];

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

/** The error `fn` throws; fails the test when it throws nothing. */
export function thrown(fn: () => unknown): Error & { code?: string; reply?: Uint8Array } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a throw, but nothing was thrown');
}
