import type { LoginCredentials } from '@hearth/protocol';
import { ErrorCode } from '@hearth/protocol';

/** What the authenticator knows about the connection asking to log in. */
export interface LoginContext {
  readonly sessionId: number;
  /** Peer address as `host:port` ('' when unknown). */
  readonly remoteAddress: string;
}

/** An accepted login: the user id, and optional extra fields for the login reply (e.g. a display name). */
export interface Admission {
  readonly userId: string;
  readonly reply?: Readonly<Record<string, unknown>>;
}

/** A refused login, answered to the client with `code` (the session stays and may try again). */
export interface Refusal {
  readonly refused: string;
  readonly text: string;
}

/**
 * The application's login check: credentials (the `login` request's payload) → a user id
 * (string or {@link Admission}) or a {@link Refusal}. May be async (a database or token service).
 * Throwing `HearthError` refuses with its code; any other throw refuses with `INTERNAL` and is logged.
 *
 * @example
 * // A real check: verify a signed token from your account service.
 * const authenticate: Authenticator = async ({ token }) => {
 *   const claims = typeof token === 'string' ? await accounts.verify(token) : undefined;
 *   return claims ? claims.sub : refuse(ErrorCode.UNAUTHENTICATED, 'invalid or expired token');
 * };
 */
export type Authenticator = (
  credentials: LoginCredentials,
  context: LoginContext,
) => string | Admission | Refusal | Promise<string | Admission | Refusal>;

/** Builds a {@link Refusal}. */
export function refuse(code: string, text: string): Refusal {
  return { refused: code, text };
}

const DEV_NAME = /^[\w-]{1,32}$/;

/**
 * The development authenticator: `{ name }` logs in as user `name` (1–32 letters, digits, `_`, `-`),
 * with no password. For local play and bots only; replace it with a real check in production.
 */
export const devAuthenticator: Authenticator = (credentials) => {
  const name = credentials['name'];
  if (typeof name === 'string' && DEV_NAME.test(name)) return { userId: name, reply: { name } };
  return refuse(ErrorCode.BAD_REQUEST, 'dev login needs { name: 1-32 letters, digits, "_" or "-" }');
};
