/**
 * How the page logs in, by the server's `--auth` (its `/config.json`): a guest, or an account with a
 * password. A guest is a name under `--auth dev`, and under `device` / `accounts` a guest device: an
 * id and a 128-bit secret made once and kept in this browser's localStorage (the same account on every
 * visit; the name is its display name when the account is made).
 */
export type LoginChoice =
  | { readonly kind: 'guest'; readonly name: string }
  | { readonly kind: 'account'; readonly username: string; readonly password: string; readonly register: boolean };

/** Which forms the page offers under `auth`. */
export function loginOptions(auth: string): { guest: boolean; account: boolean } {
  return { guest: auth === 'dev' || auth === 'device' || auth === 'accounts', account: auth === 'password' || auth === 'accounts' };
}

/** The `login` request's credentials for `choice` (docs/storage.md, "Authenticators"). */
export function credentialsOf(auth: string, choice: LoginChoice, storage: Storage = localStorage): Record<string, unknown> {
  if (choice.kind === 'account') {
    const { username, password } = choice;
    return choice.register ? { register: true, username, password } : { username, password };
  }
  if (auth !== 'device' && auth !== 'accounts') return { name: choice.name };
  const kept = (key: string, make: () => string) => storage.getItem(key) ?? (storage.setItem(key, make()), storage.getItem(key)!);
  return { device: kept('hearth-device', () => `web-${randomId(12)}`), secret: kept('hearth-device-secret', () => randomId(24)), displayName: choice.name };
}

/** Refusals that another try with the same credentials would only repeat: the form is shown again. */
const REFUSALS = new Set(['UNAUTHENTICATED', 'ALREADY_EXISTS', 'BAD_REQUEST', 'RATE_LIMITED', 'TOO_LARGE', 'STORAGE_CONFLICT']);

/** True when a login failed with `code` because of what was typed (not a lost connection). */
export function isRefusal(code: string | undefined): boolean {
  return code !== undefined && REFUSALS.has(code);
}

/** `bytes` random bytes, base64url. */
function randomId(bytes: number): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(bytes))))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}
