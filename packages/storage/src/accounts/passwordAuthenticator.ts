import type { Authenticator } from '@hearth/actor';
import type { LoginCredentials } from '@hearth/protocol';
import { badRequest } from '../errors.ts';
import type { Accounts, PasswordCredentials } from './Accounts.ts';
import { admission, record } from './admission.ts';

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
 * password, at the same cost).
 */
export function passwordAuthenticator(accounts: Accounts): Authenticator {
  return async (c) => {
    if (c['register'] === true) {
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
