import type { LoginCredentials } from '@hearth/protocol';
import { ErrorCode, HearthError } from '@hearth/protocol';
import { refuse, type Admission, type Authenticator, type Refusal } from './authenticate.ts';

/** Options of a {@link LoginThrottle}. */
export interface LoginThrottleOptions {
  /** Failed logins from one address (IP, port ignored) per window before its logins are refused (`Infinity`: no limit). @defaultValue 20 */
  maxFailuresPerAddress?: number;
  /** Failed logins naming one user per window before logins naming it are refused (`Infinity`: no limit). @defaultValue 5 */
  maxFailuresPerUser?: number;
  /** The window, in ms: a key's count starts over this long after its first failure. @defaultValue 60_000 */
  windowMs?: number;
  /** Addresses and users remembered at most (the oldest are forgotten first), so a flood of names cannot grow memory. @defaultValue 100_000 */
  maxKeys?: number;
  /** The user a login names, read from its credentials. @defaultValue the first string of `name`, `user`, `username`, `email` (≤ 256 chars) */
  userOf?: (credentials: LoginCredentials) => string | undefined;
  /** Milliseconds (tests inject a clock). @defaultValue Date.now */
  now?: () => number;
}

export const DEFAULT_MAX_FAILURES_PER_ADDRESS = 20;
export const DEFAULT_MAX_FAILURES_PER_USER = 5;
export const DEFAULT_LOGIN_WINDOW_MS = 60_000;
export const DEFAULT_LOGIN_THROTTLE_KEYS = 100_000;

/** One address's or user's failures in its current window. */
interface Tally {
  count: number;
  resetAt: number;
}

const USER_FIELDS = ['name', 'user', 'username', 'email'] as const;

function defaultUserOf(credentials: LoginCredentials): string | undefined {
  for (const field of USER_FIELDS) {
    const value = credentials[field];
    if (typeof value === 'string' && value.length > 0 && value.length <= 256) return value;
  }
  return undefined;
}

/** `host` of a `host:port` peer address (IPv6 included: the last `:` starts the port). */
function hostOf(remoteAddress: string): string {
  const at = remoteAddress.lastIndexOf(':');
  return (at > 0 ? remoteAddress.slice(0, at) : remoteAddress).replace(/^\[(.*)\]$/, '$1');
}

/**
 * Throttles password guessing: counts failed logins per peer address and per named user in a fixed
 * window; past a limit, logins from that address (or naming that user) are refused with
 * `RATE_LIMITED` without asking the authenticator. A login in flight counts as a failure until it
 * succeeds (so parallel guesses cannot overrun the limit); a success clears its user's count, not
 * its address's. The session stays open (a refused login may be retried), as for any refusal.
 *
 * The per-user limit lets a stranger lock a user out for one window by failing on purpose; the
 * per-address limit is what stops one guesser. Tune both, or pass `loginThrottle: false` to
 * `createNode` and throttle in the authenticator.
 *
 * @example
 * const authenticate = new LoginThrottle({ maxFailuresPerUser: 10 }).guard(checkPassword);
 */
export class LoginThrottle {
  readonly #maxPerAddress: number;
  readonly #maxPerUser: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #userOf: (credentials: LoginCredentials) => string | undefined;
  readonly #now: () => number;
  /** `a:<host>` and `u:<user>` → tally, oldest first (Map insertion order). */
  readonly #tallies = new Map<string, Tally>();
  /** Logins refused `RATE_LIMITED` so far. */
  refused = 0;

  constructor(options: LoginThrottleOptions = {}) {
    this.#maxPerAddress = options.maxFailuresPerAddress ?? DEFAULT_MAX_FAILURES_PER_ADDRESS;
    this.#maxPerUser = options.maxFailuresPerUser ?? DEFAULT_MAX_FAILURES_PER_USER;
    this.#windowMs = options.windowMs ?? DEFAULT_LOGIN_WINDOW_MS;
    this.#maxKeys = options.maxKeys ?? DEFAULT_LOGIN_THROTTLE_KEYS;
    this.#userOf = options.userOf ?? defaultUserOf;
    this.#now = options.now ?? Date.now;
  }

  /** Keys (addresses and users) remembered now. */
  get size(): number {
    return this.#tallies.size;
  }

  /** `authenticate`, behind this throttle. */
  guard(authenticate: Authenticator): Authenticator {
    return async (credentials, context) => {
      const address = `a:${hostOf(context.remoteAddress)}`;
      const name = this.#userOf(credentials);
      const user = name === undefined ? undefined : `u:${name}`;
      const blocked = this.#blocked(address, this.#maxPerAddress, 'this address') ?? (user && this.#blocked(user, this.#maxPerUser, 'this user'));
      if (blocked) {
        this.refused++;
        return blocked;
      }
      this.#fail(address);
      if (user) this.#fail(user);
      let result: string | Admission | Refusal;
      try {
        result = await authenticate(credentials, context);
      } catch (err) {
        // A coded throw is a refusal (it stays counted); any other throw, or a database that could not
        // answer (STORAGE_UNAVAILABLE), is the server's fault, not a guess.
        if (!(err instanceof HearthError) || err.code === ErrorCode.STORAGE_UNAVAILABLE) this.#forgive(address, user, false);
        throw err;
      }
      if (typeof result === 'string' || !('refused' in result)) this.#forgive(address, user, true);
      return result;
    };
  }

  /** Takes back the failure counted for a login in flight; `admitted` also clears the user's count. */
  #forgive(address: string, user: string | undefined, admitted: boolean): void {
    this.#undo(address);
    if (user === undefined) return;
    if (admitted) this.#tallies.delete(user);
    else this.#undo(user);
  }

  #blocked(key: string, max: number, who: string): Refusal | undefined {
    const tally = this.#tallies.get(key);
    if (tally === undefined) return undefined;
    const now = this.#now();
    if (now >= tally.resetAt) {
      this.#tallies.delete(key);
      return undefined;
    }
    if (tally.count < max) return undefined;
    const seconds = Math.ceil((tally.resetAt - now) / 1000);
    return refuse(ErrorCode.RATE_LIMITED, `too many failed logins from ${who}; retry in ${seconds} s`);
  }

  #fail(key: string): void {
    const now = this.#now();
    const tally = this.#tallies.get(key);
    if (tally !== undefined && now < tally.resetAt) {
      tally.count++;
      return;
    }
    this.#tallies.delete(key);
    if (this.#tallies.size >= this.#maxKeys) this.#tallies.delete(this.#tallies.keys().next().value!);
    this.#tallies.set(key, { count: 1, resetAt: now + this.#windowMs });
  }

  #undo(key: string): void {
    const tally = this.#tallies.get(key);
    if (tally === undefined) return;
    if (--tally.count <= 0) this.#tallies.delete(key);
  }
}
