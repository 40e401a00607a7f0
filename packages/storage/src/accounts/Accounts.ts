import { ErrorCode, HearthError } from '@hearth/protocol';
import type { Storage } from '../Storage.ts';
import * as v from '../validate.ts';
import { deviceSecretMatches, hashDeviceSecret } from './deviceSecret.ts';
import { DEFAULT_ARGON2, hashPassword, needsRehash, verifyDummy, verifyPassword, type Argon2Params } from './passwords.ts';

/** A logged-in account, as the authenticators reply it. */
export interface AccountLogin {
  readonly userId: string;
  readonly displayName: string;
  /** True when this login created the account. */
  readonly created: boolean;
}

/** A username or an email address, and a password. */
export type PasswordCredentials = ({ readonly username: string } | { readonly email: string }) & { readonly password: string };

/** A device id and the secret its client keeps. */
export interface DeviceCredentials {
  readonly device: string;
  readonly secret: string;
}

/** Options of {@link Accounts}. */
export interface AccountsOptions {
  /** @defaultValue {@link DEFAULT_ARGON2} */
  argon2?: Argon2Params;
}

const WRONG = 'wrong username, email or password';

/** `UNAUTHENTICATED`: the credentials did not match. */
function denied(text: string): HearthError {
  return new HearthError(ErrorCode.UNAUTHENTICATED, text);
}

/**
 * Account operations on a {@link Storage}: registration, password and device logins, password
 * change, device upgrade and linking, external identities. Every failure is a coded `HearthError`:
 * `UNAUTHENTICATED` (wrong credentials), `BAD_REQUEST`/`TOO_LARGE` (malformed), `ALREADY_EXISTS`,
 * `STORAGE_UNAVAILABLE`. Inputs are checked before any hash or query is spent on them.
 * Throttling of failed logins is the actor layer's `LoginThrottle` (on in `createNode`; pass
 * {@link accountOf} as its `userOf` so device ids count as accounts too).
 */
export class Accounts {
  readonly storage: Storage;
  readonly #argon2: Argon2Params;

  constructor(storage: Storage, opts: AccountsOptions = {}) {
    this.storage = storage;
    this.#argon2 = opts.argon2 ?? DEFAULT_ARGON2;
  }

  /** Creates an account with a username (and optional email) and password, and logs it in. */
  async register(c: { username: string; email?: string; password: string; displayName?: string }): Promise<AccountLogin> {
    const username = v.checkUsername(c.username);
    const email = c.email === undefined ? undefined : v.checkEmail(c.email);
    const password = v.checkPassword(c.password);
    const displayName = v.checkDisplayName(c.displayName ?? c.username);
    const passwordHash = await hashPassword(password, this.#argon2);
    const userId = await this.storage.createUser({ displayName, username, ...(email !== undefined && { email }), passwordHash });
    return { userId, displayName, created: true };
  }

  /** Logs in with a username or email and password. @throws `UNAUTHENTICATED` when they do not match. */
  async loginPassword(c: PasswordCredentials): Promise<AccountLogin> {
    const login = 'username' in c ? { username: v.checkUsername(c.username) } : { email: v.checkEmail(c.email) };
    const password = v.checkPassword(c.password);
    const record = await this.storage.findPassword(login);
    // An unknown name costs a hash too, so timing does not tell which names exist.
    if (!record) {
      await verifyDummy(password, this.#argon2);
      throw denied(WRONG);
    }
    if (!(await verifyPassword(record.passwordHash, password))) throw denied(WRONG);
    if (needsRehash(record.passwordHash, this.#argon2)) {
      await this.storage.setPasswordHash(record.userId, await hashPassword(password, this.#argon2));
    }
    return this.#loggedIn(record.userId, false);
  }

  /** Changes a password, proven by the current one; returns the login. */
  async changePassword(c: PasswordCredentials, newPassword: string): Promise<AccountLogin> {
    const next = v.checkPassword(newPassword, 'newPassword');
    const login = await this.loginPassword(c);
    await this.storage.setPasswordHash(login.userId, await hashPassword(next, this.#argon2));
    return login;
  }

  /** Logs in with a device; an unknown device gets a new guest account (unless `create` is false). */
  async loginDevice(c: DeviceCredentials & { displayName?: string }, create = true): Promise<AccountLogin> {
    const device = v.checkDeviceId(c.device);
    const secret = v.checkDeviceSecret(c.secret);
    const displayName = v.checkDisplayName(c.displayName ?? `Guest-${device.slice(-4)}`);
    let found = await this.storage.findDevice(device);
    if (!found) {
      if (!create) throw denied('unknown device');
      const made = await this.storage.createDeviceUser(device, hashDeviceSecret(secret), displayName);
      if (made.created) return { userId: made.userId, displayName, created: true };
      found = await this.storage.findDevice(device); // a racing first login won: check against its secret
      if (!found) throw denied('unknown device');
    }
    if (!deviceSecretMatches(found.secretHash, secret)) throw denied('wrong device secret');
    return this.#loggedIn(found.userId, false);
  }

  /** Gives a device's account a username and password (a guest becomes a named account). */
  async upgradeDevice(c: DeviceCredentials, named: { username: string; email?: string; password: string }): Promise<AccountLogin> {
    const username = v.checkUsername(named.username);
    const email = named.email === undefined ? undefined : v.checkEmail(named.email);
    const password = v.checkPassword(named.password);
    const login = await this.loginDevice(c, false);
    const passwordHash = await hashPassword(password, this.#argon2);
    await this.storage.setCredentials(login.userId, { username, ...(email !== undefined && { email }), passwordHash });
    return login;
  }

  /** Links a device to the account proven by a password (a new phone joins an account). */
  async linkDevice(c: PasswordCredentials, device: DeviceCredentials): Promise<AccountLogin> {
    const id = v.checkDeviceId(device.device);
    const secret = v.checkDeviceSecret(device.secret);
    const login = await this.loginPassword(c);
    await this.storage.linkDevice(login.userId, id, hashDeviceSecret(secret));
    return login;
  }

  /** The account of a verified external identity (issuer and subject of a checked token). */
  async loginExternal(issuer: string, subject: string, displayName: string): Promise<AccountLogin> {
    const userId = await this.storage.identityUser(issuer, subject, displayName);
    return this.#loggedIn(userId, false);
  }

  async #loggedIn(userId: string, created: boolean): Promise<AccountLogin> {
    await this.storage.touch(userId);
    const profile = await this.storage.getProfile(userId);
    if (!profile) throw denied('account was deleted');
    return { userId, displayName: profile.displayName, created };
  }
}
