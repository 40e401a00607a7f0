import type { Authenticator } from '@hearth/actor';
import { ErrorCode } from '@hearth/protocol';
import { refuse } from '@hearth/actor';

/** The authenticators a server offers, by the credential field that selects each. */
export interface AuthenticatorSet {
  /** `{ device, secret }` */
  device?: Authenticator;
  /** `{ username | email, password }` */
  password?: Authenticator;
  /** `{ token }` */
  jwt?: Authenticator;
}

/**
 * One {@link Authenticator} over several: a login with `token` goes to `jwt`, one with `device` to
 * `device`, one with `username` or `email` to `password`; anything else (or a kind not offered)
 * is refused with `BAD_REQUEST` naming the forms accepted.
 */
export function accountsAuthenticator(set: AuthenticatorSet): Authenticator {
  const forms = [set.device && '{ device, secret }', set.password && '{ username | email, password }', set.jwt && '{ token }']
    .filter(Boolean)
    .join(', ');
  return (c, ctx) => {
    if (c['token'] !== undefined && set.jwt) return set.jwt(c, ctx);
    if (c['device'] !== undefined && set.device) return set.device(c, ctx);
    if ((c['username'] !== undefined || c['email'] !== undefined) && set.password) return set.password(c, ctx);
    return refuse(ErrorCode.BAD_REQUEST, `login needs one of ${forms}`);
  };
}
