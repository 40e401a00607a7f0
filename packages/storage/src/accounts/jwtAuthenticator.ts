import type { Authenticator } from '@hearth/actor';
import { ErrorCode, HearthError } from '@hearth/protocol';
import { createRemoteJWKSet, errors, jwtVerify, type CryptoKey, type JWTVerifyGetKey, type KeyObject } from 'jose';
import { badRequest, tooLarge } from '../errors.ts';
import { checkDisplayName } from '../validate.ts';
import type { Accounts } from './Accounts.ts';
import { admission } from './admission.ts';

/** Options of {@link jwtAuthenticator}: a key, or a JWKS URL, and the claims to require. */
export interface JwtOptions {
  /** The identity service's public key (or shared secret), e.g. from jose's `importSPKI`/`importJWK`. */
  key?: CryptoKey | KeyObject | Uint8Array;
  /** Its JWKS endpoint (keys fetched and cached by jose, refetched on an unknown `kid`). */
  jwksUrl?: string;
  /** Required `iss`. Accounts are keyed by (iss, sub). */
  issuer: string;
  /** Required `aud`, when set. */
  audience?: string;
  /** Accepted algorithms. @defaultValue ['RS256', 'ES256', 'EdDSA'] */
  algorithms?: string[];
  /** Seconds of clock skew tolerated on exp/nbf. @defaultValue 30 */
  clockToleranceSec?: number;
  /** Longest token accepted, in characters. @defaultValue 8192 */
  maxTokenLength?: number;
  /** JWKS fetch timeout, ms. @defaultValue 5000 */
  jwksTimeoutMs?: number;
  /** The clock for exp/nbf. @defaultValue Date.now */
  now?: () => number;
}

/** jose errors that mean "this token is not good" (as opposed to "the key service did not answer"). */
const BAD_TOKEN = new Set([
  'ERR_JWT_EXPIRED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
]);
const SUBJECT = /^[\x21-\x7e]{1,255}$/;

/**
 * Logins with a signed token from an external identity service: `{ token }` is verified with jose
 * (signature, `iss`, `aud`, `exp`, `nbf`); its (iss, sub) names an account, created on first login,
 * with the display name from `name` or `preferred_username` when it is a valid one.
 * A bad token refuses `UNAUTHENTICATED`; a JWKS endpoint that does not answer, `STORAGE_UNAVAILABLE`.
 *
 * @example
 * authenticate: jwtAuthenticator(accounts, { jwksUrl: 'https://id.example.com/.well-known/jwks.json', issuer: 'https://id.example.com' })
 */
export function jwtAuthenticator(accounts: Accounts, opts: JwtOptions): Authenticator {
  if ((opts.key === undefined) === (opts.jwksUrl === undefined)) throw badRequest('jwtAuthenticator needs exactly one of key or jwksUrl');
  const key: JWTVerifyGetKey | CryptoKey | KeyObject | Uint8Array =
    opts.jwksUrl !== undefined ? createRemoteJWKSet(new URL(opts.jwksUrl), { timeoutDuration: opts.jwksTimeoutMs ?? 5000 }) : opts.key!;
  const maxLength = opts.maxTokenLength ?? 8192;
  const now = opts.now ?? Date.now;
  const verifyOptions = {
    issuer: opts.issuer,
    ...(opts.audience !== undefined && { audience: opts.audience }),
    algorithms: opts.algorithms ?? ['RS256', 'ES256', 'EdDSA'],
    clockTolerance: opts.clockToleranceSec ?? 30,
    requiredClaims: ['sub', 'exp'],
  };
  return async (c) => {
    const token = c['token'];
    if (typeof token !== 'string') throw badRequest('token login needs { token }');
    if (token.length > maxLength) throw tooLarge(`token is ${token.length} characters; the limit is ${maxLength}`);
    let payload;
    try {
      ({ payload } = await jwtVerify(token, key as JWTVerifyGetKey, { ...verifyOptions, currentDate: new Date(now()) }));
    } catch (err) {
      if (err instanceof errors.JOSEError && BAD_TOKEN.has(err.code)) {
        throw new HearthError(ErrorCode.UNAUTHENTICATED, 'invalid or expired token', { cause: err });
      }
      throw new HearthError(ErrorCode.STORAGE_UNAVAILABLE, 'identity service keys unavailable; retry later', { cause: err });
    }
    const sub = payload.sub;
    if (typeof sub !== 'string' || !SUBJECT.test(sub)) throw new HearthError(ErrorCode.UNAUTHENTICATED, 'token subject is malformed');
    return admission(await accounts.loginExternal(opts.issuer, sub, nameOf(payload)));
  };
}

function nameOf(claims: Record<string, unknown>): string {
  for (const field of ['name', 'preferred_username']) {
    try {
      return checkDisplayName(claims[field]);
    } catch {
      // not a usable display name: try the next claim
    }
  }
  return 'Player';
}
