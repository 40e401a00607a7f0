import type { Admission } from '@hearth/actor';
import type { AccountLogin } from './Accounts.ts';

/** The login reply of an account login: `{ userId, displayName, created }`. */
export function admission(login: AccountLogin): Admission {
  return { userId: login.userId, reply: { userId: login.userId, displayName: login.displayName, created: login.created } };
}

/** A credentials field that must be an object (e.g. `upgrade`, `linkDevice`), as a record. */
export function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
