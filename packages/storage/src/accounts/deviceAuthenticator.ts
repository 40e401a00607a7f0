import type { Authenticator } from '@hearth/actor';
import { badRequest } from '../errors.ts';
import type { Accounts } from './Accounts.ts';
import { admission, record } from './admission.ts';

/**
 * Guest/device logins: `{ device, secret, displayName? }` logs in the device's account, creating a
 * guest account the first time a device is seen. The client makes `device` (8-128 of `[\w.:-]`) and
 * `secret` (22-128 base64url characters, 128+ random bits) once and keeps them.
 * `{ device, secret, upgrade: { username, password, email? } }` also names the account (it can then
 * log in with a password from anywhere).
 *
 * @example
 * const node = await createNode({ service, player, authenticate: deviceAuthenticator(accounts),
 *   loginThrottle: { userOf: accountOf } });
 */
export function deviceAuthenticator(accounts: Accounts): Authenticator {
  return async (c) => {
    const device = { device: c['device'] as string, secret: c['secret'] as string };
    if (c['upgrade'] !== undefined) {
      const u = record(c['upgrade']);
      if (!u) throw badRequest('upgrade must be { username, password, email? }');
      return admission(
        await accounts.upgradeDevice(device, {
          username: u['username'] as string,
          password: u['password'] as string,
          ...(u['email'] !== undefined && { email: u['email'] as string }),
        }),
      );
    }
    return admission(
      await accounts.loginDevice({ ...device, ...(c['displayName'] !== undefined && { displayName: c['displayName'] as string }) }),
    );
  };
}
