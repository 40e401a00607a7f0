import { refuse, type Authenticator } from '@hearth/actor';
import { ErrorCode } from '@hearth/protocol';
import type { LoginCredentials } from '@hearth/protocol';
import { badRequest } from '../errors.ts';
import type { Accounts, PasswordCredentials } from './Accounts.ts';
import { admission, record } from './admission.ts';
import { RegistrationLimit, type RegistrationLimitOptions } from './RegistrationLimit.ts';

/** `{ username | email, password }` from untrusted credentials (values are checked by `Accounts`). */
function passwordOf(c: LoginCredentials): PasswordCredentials {
  if (c['username'] !== undefined) return { username: c['username'] as string, password: c['password'] as string };
  if (c['email'] !== undefined) return { email: c['email'] as string, password: c['password'] as string };
  throw badRequest('password login needs { username or email, password }');
}

/**
 * Username or email with a password (argon2id). One login request, four forms:
 * - `{ username | email, password }` logs in;
 * - `{ register: true, username, password, email?, displayName? }` creates the account and logs in;
 * - `{ username | email, password, newPassword }` changes the password and logs in;
 * - `{ username | email, password, linkDevice: { device, secret } }` links a device and logs in.
 * Wrong credentials refuse with `UNAUTHENTICATED` (the same text for an unknown name and a wrong
 * password, at the same cost). Registrations are limited per address (`registrations`, default 10
 * per 10 minutes; `RATE_LIMITED` past it).
 */
export function passwordAuthenticator(accounts: Accounts, opts: { registrations?: RegistrationLimitOptions } = {}): Authenticator {
  const registrations = new RegistrationLimit(opts.registrations);
  return async (c, ctx) => {
    if (c['register'] === true) {
      const wait = registrations.take(ctx.remoteAddress);
      if (wait > 0) return refuse(ErrorCode.RATE_LIMITED, `too many registrations from this address; retry in ${Math.ceil(wait / 1000)} s`);
      return admission(
        await accounts.register({
          username: c['username'] as string,
          password: c['password'] as string,
          ...(c['email'] !== undefined && { email: c['email'] as string }),
          ...(c['displayName'] !== undefined && { displayName: c['displayName'] as string }),
        }),
      );
    }
    const login = passwordOf(c);
    if (c['newPassword'] !== undefined) return admission(await accounts.changePassword(login, c['newPassword'] as string));
    if (c['linkDevice'] !== undefined) {
      const d = record(c['linkDevice']);
      if (!d) throw badRequest('linkDevice must be { device, secret }');
      return admission(await accounts.linkDevice(login, { device: d['device'] as string, secret: d['secret'] as string }));
    }
    return admission(await accounts.loginPassword(login));
  };
}
