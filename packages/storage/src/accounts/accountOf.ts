import type { LoginCredentials } from '@hearth/protocol';

/**
 * The account a login names, for the actor layer's `LoginThrottle` (`userOf`): the username or
 * email folded to lower case, or `device:<id>`; undefined for a token login (the address limit
 * still applies). Values are length-capped: a throttle key is never longer than 140 characters.
 */
export function accountOf(c: LoginCredentials): string | undefined {
  for (const field of ['username', 'email'] as const) {
    const v = c[field];
    if (typeof v === 'string' && v.length > 0 && v.length <= 254) return v.toLowerCase();
  }
  const device = c['device'];
  if (typeof device === 'string' && device.length > 0 && device.length <= 128) return `device:${device}`;
  return undefined;
}
